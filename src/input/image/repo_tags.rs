//! Choosing one image by its repository tags, where a source lists several images with
//! `RepoTags` (a docker save `manifest.json`, `docker inspect` output). `v1`, `demo:v1` and
//! `docker.io/fleetsave/demo:v1` all pick `docker.io/fleetsave/demo:v1`.

use super::error::Problem;

/// The image tagged `wanted`, or the only image when no tag is wanted. Errors list the tags.
pub(crate) fn choose<'a, T>(
    images: &'a [T],
    repo_tags: impl Fn(&T) -> &[String],
    wanted: Option<&str>,
    what: &str,
) -> Result<&'a T, Problem> {
    let all_tags = || {
        let tags: Vec<&str> = images
            .iter()
            .flat_map(&repo_tags)
            .map(String::as_str)
            .collect();
        if tags.is_empty() {
            "none".to_string()
        } else {
            tags.join(", ")
        }
    };
    match (wanted, images) {
        (Some(wanted), _) => images
            .iter()
            .find(|image| repo_tags(image).iter().any(|t| matches(t, wanted)))
            .ok_or_else(|| Problem::NoTag {
                tag: wanted.to_string(),
                present: all_tags(),
            }),
        (None, []) => Err(Problem::NotAnImage(format!("{what} lists no images"))),
        (None, [only]) => Ok(only),
        (None, several) => Err(Problem::SeveralImages {
            count: several.len(),
            tags: all_tags(),
        }),
    }
}

/// Whether `repo_tag` (`registry/repo:tag`) is what the user asked for: the whole reference, a
/// trailing part of it, or the tag alone.
pub(crate) fn matches(repo_tag: &str, wanted: &str) -> bool {
    repo_tag == wanted
        || repo_tag.ends_with(&format!("/{wanted}"))
        || repo_tag
            .rsplit_once(':')
            .is_some_and(|(_, tag)| tag == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_in_the_users_words() {
        let full = "docker.io/fleetsave/demo:v1";
        for wanted in ["v1", "demo:v1", "fleetsave/demo:v1", full] {
            assert!(matches(full, wanted), "{wanted}");
        }
        assert!(!matches(full, "v2"));
        assert!(!matches(full, "emo:v1"));
    }

    #[test]
    fn chooses_or_lists_the_tags() {
        let images = vec![vec!["a:1".to_string()], vec!["b:2".to_string()]];
        fn tags(image: &Vec<String>) -> &[String] {
            image
        }
        assert_eq!(choose(&images, tags, Some("2"), "x").unwrap()[0], "b:2");
        let err = choose(&images, tags, None, "x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "holds 2 images (a:1, b:2); choose one with PATH:TAG"
        );
        let err = choose(&images, tags, Some("3"), "x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no image tagged '3'; tags present: a:1, b:2"
        );
        let none: Vec<Vec<String>> = vec![];
        assert!(
            choose(&none, tags, None, "manifest.json")
                .unwrap_err()
                .to_string()
                .contains("lists no images")
        );
    }
}

//! Image sources and typed sizes, as the commands that read images share them: how to read
//! (platform, verification, registry credentials, limits), a size typed on one basis with the
//! other estimated, and the layer model's inputs given as flags.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::args::{ImageArgs, LayeringArgs};
use crate::error::{Error, Place};
use crate::input::image::{ReadLimit, ReadOptions};
use crate::input::registry::{Client, CredentialSource, Credentials, Proxies, RegistryOptions};
use crate::input::sources::{self, SizedImage, SourceOptions};
use crate::model::{ImageSize, Layering};
use crate::units::{Basis, Ratio};

/// How to read image sources, from `--platform`, `--verify`, `--disk`, `--max-read` and the
/// registry flags. Nothing is read yet.
pub fn source_options(args: &ImageArgs) -> SourceOptions {
    let explicit = match (&args.registry_username, &args.registry_password) {
        (Some(username), Some(password)) => Some(Credentials::Basic {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => None,
    };
    SourceOptions {
        read: ReadOptions {
            platform: args.platform.clone().unwrap_or_default(),
            verify: args.verify,
            tag: None,
            progress: crate::progress::layer_progress(),
            max_read: args.max_read.map(|bytes| Arc::new(ReadLimit::new(bytes))),
            files: false,
            watch: None,
        },
        registry: Arc::new(Client::new(RegistryOptions {
            credentials: CredentialSource {
                explicit,
                explicit_for: args.registry_auth.clone(),
                docker_config_dir: CredentialSource::docker_config_dir_from_env(),
            },
            insecure_hosts: args.insecure_registry.clone(),
            disk: args.disk,
            timeout: args.timeout,
            ca_files: args.ca_file.clone(),
            proxies: Proxies::from_env(),
        })),
        memo: Arc::default(),
    }
}

/// A size typed with `flag` on `basis`, the other basis estimated with `ratio`.
pub fn typed_size(flag: &str, bytes: u64, basis: Basis, ratio: Ratio) -> Result<ImageSize, Error> {
    ImageSize::typed(bytes, basis, ratio).ok_or_else(|| {
        Error::flag(
            flag,
            format!("'{bytes}' is too large to estimate a disk size from at ratio {ratio}"),
        )
    })
}

/// Reads the image source given with `flag` (paths relative to the working directory).
pub fn read(
    flag: &str,
    path: &Path,
    options: &SourceOptions,
    ratio: Ratio,
) -> Result<SizedImage, Error> {
    sources::read_sized(path, Path::new(""), options, ratio, Place::flag(flag))
}

/// The layer model's inputs given as flags, their images read.
pub fn layering(
    args: &LayeringArgs,
    options: &SourceOptions,
    ratio: Ratio,
) -> Result<Layering, Error> {
    let image = |flag: &str, path: &Option<PathBuf>| {
        path.as_deref()
            .map(|path| read(flag, path, options, ratio).map(|sized| Box::new(sized.image)))
            .transpose()
    };
    Ok(Layering {
        base_image: image("--base-image", &args.base_image)?,
        before_previous: image("--before-prev-image", &args.before_prev_image)?,
        after_previous: image("--after-prev-image", &args.after_prev_image)?,
        // The assumption `changed_per_deploy` (flag or file) applies where a row gives none.
        changed_per_deploy: None,
        node_pool: None,
        every_node: false,
    })
}

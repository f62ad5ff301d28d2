//! Waste as dive counts it (wagoodman/dive, `dive/filetree/efficiency.go` and
//! `dive/image/analysis.go`), so that a team's dive thresholds keep their meaning.
//!
//! Each layer's tar entries make a tree (paths cleaned as Go's `path.Clean`, missing parents
//! added as empty nodes, a later entry for the same path replacing the earlier, names starting
//! `.wh..wh..` — opaque markers — ignored, as dive ignores them). Then, layer by layer, every
//! leaf of the tree (children in name order, children before parents) is one sighting of its
//! path (a whiteout `.wh.NAME` is a sighting of `NAME`):
//!
//! - a file's size is its header size (file content bytes; hard links and symlinks 0);
//! - a whiteout's size is, when the path is a directory in the layers below stacked, the sum of
//!   that directory's subtree, else 0; a whiteout of a path not below stops that layer's walk
//!   (dive returns the error from its visitor), leaving the path seen with no size;
//! - efficiency = Σ over paths of the smallest size seen ÷ Σ of every size seen (1 when 0);
//! - wasted bytes = Σ of the cumulative size of every path seen at least twice;
//! - size = Σ of every entry's size in every layer; user size = the same without the first
//!   layer; user wasted percent = wasted ÷ user size.
//!
//! Sizes are file content bytes, not the tar-stream bytes fleetsave calls "unpacked" (which also
//! count the 512-byte headers, padding and end-of-archive blocks).

use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::model::files::FileEntry;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..";

/// A path seen in more than one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Inefficiency {
    pub path: String,
    /// Layers that held it (a deletion counts).
    pub count: u64,
    /// Σ of its sizes in those layers (file content bytes).
    pub cumulative_bytes: u64,
}

/// dive's figures for one image.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Waste {
    /// Σ smallest size seen per path ÷ Σ every size seen.
    pub efficiency: f64,
    /// Σ of every layer's file content bytes.
    pub size_bytes: u64,
    /// The same without the first (base) layer.
    pub user_size_bytes: u64,
    /// Σ of the cumulative size of every path seen in more than one layer.
    pub wasted_bytes: u64,
    /// wasted ÷ user size; `null` when the user size is 0.
    pub user_wasted_percent: Option<f64>,
    /// Largest first.
    pub inefficient_files: Vec<Inefficiency>,
}

/// A name is held once, shared by the node and its parent's map (an image may have hundreds of
/// thousands of files).
#[derive(Debug, Clone, Default)]
struct Node {
    name: Rc<str>,
    children: BTreeMap<Rc<str>, usize>,
    parent: usize,
    size: i64,
    is_dir: bool,
    /// The path has its own entry (not only a parent added for a child).
    entry: bool,
    /// The layer whose entry last wrote it.
    layer: usize,
    /// The layer marked it opaque (`.wh..wh..opq`): nothing below shows through.
    opaque: bool,
}

/// One layer's file tree, nodes in an arena (index 0 is the root).
#[derive(Debug, Clone)]
struct Tree {
    nodes: Vec<Node>,
}

/// The components of a path as Go's `path.Clean` then dive's split leave them.
fn components(path: &str) -> Vec<&str> {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|last| *last != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            _ => out.push(part),
        }
    }
    out
}

/// Whether [`components`] of `path` is not empty (without building it).
fn has_components(path: &str) -> bool {
    let rooted = path.starts_with('/');
    // `components` is a run of `..` (unrooted paths only) then names.
    let (mut ups, mut names) = (0usize, 0usize);
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if names > 0 {
                    names -= 1;
                } else if !rooted {
                    ups += 1;
                }
            }
            _ => names += 1,
        }
    }
    ups + names > 0
}

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: vec![Node::default()],
        }
    }

    fn of(entries: &[FileEntry], layer: usize) -> Tree {
        let mut tree = Tree::new();
        for entry in entries {
            let size = i64::try_from(entry.size).unwrap_or(i64::MAX);
            tree.add(&components(&entry.path), size, entry.is_dir, layer);
        }
        tree
    }

    /// dive's `AddPath` (an opaque marker adds nothing but marks its directory).
    fn add(&mut self, names: &[&str], size: i64, is_dir: bool, layer: usize) {
        let mut node = 0;
        for (index, name) in names.iter().enumerate() {
            node = match self.nodes[node].children.get(*name) {
                Some(&child) => child,
                None => {
                    if name.starts_with(OPAQUE) {
                        self.nodes[node].opaque = true;
                        return;
                    }
                    let child = self.nodes.len();
                    let name: Rc<str> = Rc::from(*name);
                    self.nodes.push(Node {
                        name: Rc::clone(&name),
                        parent: node,
                        ..Node::default()
                    });
                    self.nodes[node].children.insert(name, child);
                    child
                }
            };
            if index == names.len() - 1 {
                let node = &mut self.nodes[node];
                node.size = size;
                node.is_dir = is_dir;
                node.entry = true;
                node.layer = layer;
            }
        }
    }

    fn get(&self, path: &str) -> Option<usize> {
        let mut node = 0;
        for name in path.split('/').filter(|name| !name.is_empty()) {
            node = *self.nodes[node].children.get(name)?;
        }
        Some(node)
    }

    fn remove(&mut self, path: &str) {
        if let Some(node) = self.get(path).filter(|&node| node != 0) {
            let parent = self.nodes[node].parent;
            let name = Rc::clone(&self.nodes[node].name);
            self.nodes[parent].children.remove(&*name);
        }
    }

    /// Every node under `top` (and `top` unless it is the root), children first, in name order.
    fn post_order(&self, top: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![(top, false)];
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                if node != 0 {
                    out.push(node);
                }
                continue;
            }
            stack.push((node, true));
            for &child in self.nodes[node].children.values().rev() {
                stack.push((child, false));
            }
        }
        out
    }

    fn is_whiteout(&self, node: usize) -> bool {
        self.nodes[node].name.starts_with(WHITEOUT)
    }

    /// dive's `Path()`: `/` and the names, the node's own without its whiteout prefix.
    fn path(&self, node: usize) -> String {
        let mut names = Vec::new();
        let mut current = node;
        while current != 0 {
            let name: &str = &self.nodes[current].name;
            names.push(if current == node {
                name.strip_prefix(WHITEOUT).unwrap_or(name)
            } else {
                name
            });
            current = self.nodes[current].parent;
        }
        names.reverse();
        let mut text = String::with_capacity(names.iter().map(|name| name.len() + 1).sum());
        text.push('/');
        for (index, name) in names.iter().enumerate() {
            if index > 0 {
                text.push('/');
            }
            text.push_str(name);
        }
        // Only an emptied whiteout name (`.wh.`) makes a `//`.
        if text.contains("//") {
            text.replace("//", "/")
        } else {
            text
        }
    }

    /// dive's `Stack`: `upper` laid over this tree. dive ignores opaque markers; with
    /// `honour_opaque` (the filesystem a container sees) an opaque directory of `upper` first
    /// hides everything below it in this tree.
    fn stack(&mut self, upper: &Tree, honour_opaque: bool) {
        let order = upper.post_order(0);
        if honour_opaque {
            for &node in order.iter().filter(|&&node| upper.nodes[node].opaque) {
                if let Some(below) = self.get(&upper.path(node)) {
                    self.nodes[below].children.clear();
                }
            }
        }
        for node in order {
            let path = upper.path(node);
            if upper.is_whiteout(node) {
                self.remove(&path);
            } else {
                let info = &upper.nodes[node];
                self.add(&components(&path), info.size, info.is_dir, info.layer);
            }
        }
    }

    fn subtree_size(&self, node: usize) -> i64 {
        self.post_order(node)
            .into_iter()
            .fold(0i64, |sum, n| sum.saturating_add(self.nodes[n].size))
    }
}

/// A file of the final filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalFile {
    /// `/` and the cleaned names, as dive writes paths.
    pub path: String,
    /// File content bytes (hard links and symlinks 0), as dive counts them.
    pub size: u64,
    /// The layer whose entry last wrote it.
    pub layer: usize,
}

/// The files that survive the layers stacked as a container sees them: dive's stacking, with
/// whiteouts removing what is below and, unlike dive, opaque directories hiding everything
/// below them. Directories are left out; files in path order.
pub fn final_files(layers: &[&[FileEntry]]) -> Vec<FinalFile> {
    let mut stacked = Tree::new();
    for (index, entries) in layers.iter().enumerate() {
        stacked.stack(&Tree::of(entries, index), true);
    }
    stacked
        .post_order(0)
        .into_iter()
        .filter(|&node| {
            let info = &stacked.nodes[node];
            info.entry && !info.is_dir && info.children.is_empty() && !stacked.is_whiteout(node)
        })
        .map(|node| FinalFile {
            path: stacked.path(node),
            size: u64::try_from(stacked.nodes[node].size).unwrap_or(0),
            layer: stacked.nodes[node].layer,
        })
        .collect()
}

#[derive(Debug)]
struct Seen {
    cumulative: i64,
    smallest: i64,
    count: u64,
}

/// The tree [`waste`] stacks by the time it visits layer `index`: the first layer, then the
/// layers before `index` stacked over it one by one.
fn stacked_below(layers: &[&[FileEntry]], index: usize) -> Tree {
    let mut stacked = layers
        .first()
        .map(|entries| Tree::of(entries, 0))
        .unwrap_or_else(Tree::new);
    for (below, entries) in layers.iter().enumerate().take(index) {
        stacked.stack(&Tree::of(entries, below), false);
    }
    stacked
}

/// dive's figures for the layers' entries, in layer order.
pub fn waste(layers: &[&[FileEntry]]) -> Waste {
    let sizes: Vec<u64> = layers
        .iter()
        .map(|entries| {
            entries
                .iter()
                .filter(|entry| has_components(&entry.path) || entry.path.starts_with('/'))
                .fold(0u64, |sum, entry| sum.saturating_add(entry.size))
        })
        .collect();
    let mut seen: FxHashMap<String, Seen> = FxHashMap::default();
    let mut inefficient: Vec<String> = Vec::new();
    // Only the stacked tree and two layer trees are held at once (dive restacks from the first
    // layer for every whiteout; stacking one layer at a time gives the same tree). The stacked
    // tree is only looked at for whiteouts: it is built at the first one (from the layers below,
    // as it would have been built step by step), so images without whiteouts never hold it.
    let mut stacked: Option<Tree> = None;
    let mut previous: Option<Tree> = None;
    for (index, entries) in layers.iter().enumerate() {
        let tree = Tree::of(entries, index);
        if let (Some(stacked), Some(previous)) = (&mut stacked, &previous) {
            stacked.stack(previous, false);
        }
        for node in tree.post_order(0) {
            if !tree.nodes[node].children.is_empty() {
                continue;
            }
            let path = tree.path(node);
            let data = seen.entry(path.clone()).or_insert(Seen {
                cumulative: 0,
                smallest: -1,
                count: 0,
            });
            let size = if tree.is_whiteout(node) {
                let stacked = stacked.get_or_insert_with(|| stacked_below(layers, index));
                match stacked.get(&path) {
                    // dive's visitor returns the error: the rest of this layer goes unvisited.
                    None => break,
                    Some(below) if stacked.nodes[below].is_dir => stacked.subtree_size(below),
                    Some(_) => 0,
                }
            } else {
                tree.nodes[node].size
            };
            data.cumulative = data.cumulative.saturating_add(size);
            if data.smallest < 0 || size < data.smallest {
                data.smallest = size;
            }
            data.count += 1;
            if data.count == 2 {
                inefficient.push(path);
            }
        }
        previous = Some(tree);
    }
    let (smallest, discovered) = seen.values().fold((0i64, 0i64), |(s, d), data| {
        (
            s.saturating_add(data.smallest),
            d.saturating_add(data.cumulative),
        )
    });
    let efficiency = if discovered == 0 {
        1.0
    } else {
        smallest as f64 / discovered as f64
    };
    let mut inefficient_files: Vec<Inefficiency> = inefficient
        .into_iter()
        .map(|path| {
            let data = &seen[&path];
            Inefficiency {
                cumulative_bytes: u64::try_from(data.cumulative).unwrap_or(0),
                count: data.count,
                path,
            }
        })
        .collect();
    // dive sorts ascending (a stable insertion sort for short lists) and lists the largest first.
    inefficient_files.sort_by_key(|file| file.cumulative_bytes);
    inefficient_files.reverse();
    let wasted_bytes = inefficient_files
        .iter()
        .fold(0u64, |sum, file| sum.wrapping_add(file.cumulative_bytes));
    let size_bytes = sizes
        .iter()
        .fold(0u64, |sum, size| sum.saturating_add(*size));
    let user_size_bytes = sizes
        .iter()
        .skip(1)
        .fold(0u64, |sum, size| sum.saturating_add(*size));
    Waste {
        efficiency,
        size_bytes,
        user_size_bytes,
        wasted_bytes,
        user_wasted_percent: (user_size_bytes > 0)
            .then(|| wasted_bytes as f64 / user_size_bytes as f64),
        inefficient_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            size,
            is_dir: false,
        }
    }

    fn dir(path: &str) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            size: 0,
            is_dir: true,
        }
    }

    #[test]
    fn overwrites_and_deletions_count_as_dive_counts_them() {
        let base = vec![
            dir("etc/"),
            file("etc/a", 100),
            dir("opt/"),
            file("opt/x", 30),
            file("opt/y", 20),
            file("keep", 7),
            file("link", 0), // a hard link: header size 0
        ];
        let second = vec![
            dir("etc/"),
            file("etc/a", 40),       // overwrite: seen twice, 140, smallest 40
            file("var/.wh.gone", 0), // not below: stops this layer's walk here
            file("var/z", 5),        // after the stop ('.' sorts before 'z'): never seen
        ];
        let third = vec![
            file(".wh.opt", 0),  // a directory below: its subtree, 50 bytes
            file(".wh.keep", 0), // a file below: 0
            dir("srv/"),
            file("srv/.wh..wh..opq", 0), // opaque: ignored, srv stays an (empty) leaf
        ];
        let w = waste(&[&base, &second, &third]);
        let paths: Vec<(&str, u64, u64)> = w
            .inefficient_files
            .iter()
            .map(|f| (f.path.as_str(), f.count, f.cumulative_bytes))
            .collect();
        // /opt was a directory with children in the base (not a leaf): seen once, in the third.
        assert_eq!(paths, vec![("/etc/a", 2, 140), ("/keep", 2, 7)]);
        assert_eq!(w.wasted_bytes, 147);
        assert_eq!(w.size_bytes, 157 + 45);
        assert_eq!(w.user_size_bytes, 45);
        assert_eq!(w.user_wasted_percent, Some(147.0 / 45.0));
        // Smallest: /etc/a 40, /keep 0, /link 0, /opt/x 30, /opt/y 20, /var/gone -1 (seen with
        // no size, as dive leaves it), /opt 50, /srv 0 = 139. Every size: 140 + 7 + 0 + 30 + 20
        // + 0 + 50 + 0 = 247.
        assert_eq!(w.efficiency, 139.0 / 247.0);
    }

    #[test]
    fn the_final_filesystem_honours_whiteouts_and_opaque_directories() {
        let base = vec![
            dir("etc/"),
            file("etc/a", 100),
            file("etc/gone", 9),
            dir("opt/"),
            file("opt/x", 30),
            dir("lists/"),
            file("lists/old", 50),
        ];
        let second = vec![
            file("etc/a", 40),
            file("etc/.wh.gone", 0),
            file(".wh.opt", 0),
            dir("lists/"),
            file("lists/.wh..wh..opq", 0),
            file("lists/new", 5),
            file("link", 0),
        ];
        let files: Vec<(String, u64, usize)> = final_files(&[&base, &second])
            .into_iter()
            .map(|f| (f.path, f.size, f.layer))
            .collect();
        assert_eq!(
            files,
            vec![
                ("/etc/a".to_string(), 40, 1),
                ("/link".to_string(), 0, 1),
                ("/lists/new".to_string(), 5, 1),
            ]
        );
    }

    #[test]
    fn paths_are_cleaned_as_go_cleans_them() {
        assert_eq!(components("./a//b/../c/"), vec!["a", "c"]);
        assert_eq!(components("/../a"), vec!["a"]);
        assert_eq!(components("../a"), vec!["..", "a"]);
        assert!(components("./").is_empty());
        let w = waste(&[&[file("./", 0), file("./a", 3)], &[file("a", 3)]]);
        assert_eq!(w.wasted_bytes, 6);
        assert_eq!(w.efficiency, 0.5);
    }
}

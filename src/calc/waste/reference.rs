//! The first implementation of dive's figures, a tree of nodes per layer as dive builds it: kept
//! as the reference the sorted-path implementation of the parent module is tested against.

use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{FinalFile, Inefficiency, Waste, components, has_components};
use crate::model::files::FileEntry;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..";

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
    let inefficient_files: Vec<Inefficiency> = inefficient
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
    super::summary(efficiency, &sizes, inefficient_files)
}

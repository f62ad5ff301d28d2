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
//!
//! No tree is built: a tree is its paths in the order of its depth-first walk (names compared
//! byte by byte, `/` below every byte), so each layer's cleaned paths are sorted once, missing
//! parents inserted, and a path is a leaf when the next one is not below it. The stacked layers
//! are such a sorted list too (a directory's subtree is the range after it); a layer without
//! whiteouts or opaque markers is merged into it, any other applied operation by operation, in
//! dive's order. Each layer's sorted list is built once and shared by dive's walk ([`waste`])
//! and the final filesystem ([`final_files`]): [`waste_and_final_files`] runs the two on two
//! threads. The tree implementation (`reference`, tests only) is the oracle of a property test.
//!
//! A layer read from a file source in walk order has its list made while it is read
//! ([`Prebuilt`]: the reader shows it each entry on the thread that walks the tar headers, which
//! mostly waits for the inflater), so that less of the walk waits for the last entry.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::model::files::{EntryWatch, FileEntry, LayerWatches};

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

/// Whether [`components`] of `path` is not empty (without building it): the reference of the
/// empty key [`LayerTree::raw`] counts by.
/// dive's figures from its efficiency, the layers' sizes (the first the base image's) and the
/// inefficient files: those listed largest first, the wasted bytes their sum.
pub(super) fn summary(
    efficiency: f64,
    sizes: &[u64],
    mut inefficient_files: Vec<Inefficiency>,
) -> Waste {
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
fn has_components(path: &str) -> bool {
    let rooted = path.starts_with('/');
    // `components` is a run of `..` (unrooted paths only) then names.
    let (mut ups, mut names) = (0usize, 0usize);
    for part in path.as_bytes().split(|&byte| byte == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
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

/// A node's key: its names joined with `/` (no leading `/`; the root is the empty key). Keys
/// borrow the entry's path when it is already clean (the usual case).
type Key<'a> = Cow<'a, str>;

/// The order of a tree's depth-first walk (children in name order): names compared byte by
/// byte, so `/` sorts below every other byte and a parent comes right before its subtree.
fn key_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let same = common_prefix(a, b);
    let rank = |byte: u8| if byte == b'/' { 0 } else { u16::from(byte) + 1 };
    match (a.get(same), b.get(same)) {
        (Some(&x), Some(&y)) => rank(x).cmp(&rank(y)),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
    }
}

/// How many bytes `a` and `b` start with in common: eight at a time (sorted keys share long
/// prefixes), then byte by byte.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= len {
        let word =
            |bytes: &[u8]| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
        let differ = word(a) ^ word(b);
        if differ != 0 {
            // Little-endian: the lowest differing byte is the first.
            return at + (differ.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Whether a key's name (after its last `/`) is a whiteout.
fn whiteout_name(key: &str) -> bool {
    last_name(key).starts_with(WHITEOUT)
}

/// Where the first name of `key` starting with `.wh..wh..` (an opaque marker) starts.
fn opaque_name(key: &str) -> Option<usize> {
    let bytes = key.as_bytes();
    // Names rarely start with `.`: look only there.
    bytes
        .iter()
        .enumerate()
        .filter(|&(at, &byte)| byte == b'.' && (at == 0 || bytes[at - 1] == b'/'))
        .map(|(at, _)| at)
        .find(|&at| bytes[at..].starts_with(OPAQUE.as_bytes()))
}

/// Whether `key` is in the subtree under `top` (not `top` itself).
fn is_below(top: &str, key: &str) -> bool {
    top.is_empty() && !key.is_empty()
        || key.len() > top.len() && key.starts_with(top) && key.as_bytes()[top.len()] == b'/'
}

/// The last name of a key.
fn last_name(key: &str) -> &str {
    // A byte search: `rsplit('/')` pays a memrchr call and a one-byte compare per key.
    match key.as_bytes().iter().rposition(|&byte| byte == b'/') {
        Some(at) => &key[at + 1..],
        None => key,
    }
}

/// [`components`] joined: borrowed when `path` needs no more than leading `/` or `./` and
/// trailing `/` taken off.
fn clean(path: &str) -> Key<'_> {
    let mut inner = path;
    loop {
        if let Some(rest) = inner.strip_prefix('/') {
            inner = rest;
        } else if let Some(rest) = inner.strip_prefix("./") {
            inner = rest;
        } else {
            break;
        }
    }
    let inner = inner.trim_end_matches('/');
    let plain = inner
        .as_bytes()
        .split(|&byte| byte == b'/')
        .all(|name| !matches!(name, b"" | b"." | b".."));
    if plain || inner.is_empty() && path.starts_with('/') {
        Cow::Borrowed(inner)
    } else {
        Cow::Owned(components(path).join("/"))
    }
}

/// What dive's `get` looks up for a path: its non-empty names, not cleaned.
fn lookup_key(path: &str) -> Key<'_> {
    if path.split('/').any(str::is_empty) {
        Cow::Owned(
            path.split('/')
                .filter(|name| !name.is_empty())
                .collect::<Vec<_>>()
                .join("/"),
        )
    } else {
        Cow::Borrowed(path)
    }
}

#[derive(Debug, Clone)]
struct Node<'a> {
    key: Key<'a>,
    size: i64,
    is_dir: bool,
    /// The key's last name is a whiteout (`.wh.NAME`): kept, not looked for at every visit.
    whiteout: bool,
    /// The path has its own entry (not only a parent added for a child).
    entry: bool,
    /// The layer whose entry last wrote it.
    layer: usize,
}

impl<'a> Node<'a> {
    /// A parent added for a child.
    fn parent(key: Key<'a>) -> Node<'a> {
        Node {
            whiteout: whiteout_name(&key),
            key,
            size: 0,
            is_dir: false,
            entry: false,
            layer: 0,
        }
    }

    fn is_whiteout(&self) -> bool {
        self.whiteout
    }

    /// dive's `Path()` without its leading `/`: the key, the last name without its whiteout
    /// prefix.
    fn path(&self) -> Cow<'_, str> {
        if !self.whiteout {
            return Cow::Borrowed(&self.key);
        }
        let name = last_name(&self.key);
        let bare = &name[WHITEOUT.len()..];
        let parent = &self.key[..self.key.len() - name.len()];
        Cow::Owned(format!("{parent}{bare}"))
    }
}

/// Nodes in the order of a depth-first walk (a parent right before its subtree); the root is
/// not one of them. Whether node `i` is a leaf is whether node `i + 1` is not below it.
#[derive(Debug, Clone, Default)]
struct Sorted<'a> {
    nodes: Vec<Node<'a>>,
}

impl<'a> Sorted<'a> {
    fn is_leaf(&self, index: usize) -> bool {
        self.nodes
            .get(index + 1)
            .is_none_or(|next| !is_below(&self.nodes[index].key, &next.key))
    }

    /// The index after `index`'s subtree.
    fn subtree_end(&self, index: usize) -> usize {
        let top = &self.nodes[index].key;
        index
            + 1
            + self.nodes[index + 1..]
                .iter()
                .take_while(|node| is_below(top, &node.key))
                .count()
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.nodes
            .binary_search_by(|node| key_cmp(&node.key, key))
            .ok()
    }

    /// Indices, children before parents (dive's post-order walk).
    fn post_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut open: Vec<usize> = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            while let Some(&top) = open.last() {
                if is_below(&self.nodes[top].key, &node.key) {
                    break;
                }
                out.push(top);
                open.pop();
            }
            open.push(index);
        }
        out.extend(open.into_iter().rev());
        out
    }
}

/// One layer's tree as dive builds it: paths cleaned, missing parents added, a later entry for
/// the same path replacing the earlier; a name starting `.wh..wh..` adds nothing below it but
/// marks its directory opaque.
#[derive(Debug, Clone, Default)]
struct LayerTree<'a> {
    tree: Sorted<'a>,
    /// Nodes marked opaque (the root, which dive never looks at, left out).
    opaque: Vec<bool>,
    /// Some node's name is a whiteout.
    whiteouts: bool,
    /// Some key starts with `..` (an unrooted path climbing out).
    climbs: bool,
    /// Σ of the sizes of the entries dive counts: those whose path has a name, or is rooted.
    size: u64,
}

/// A layer's entries as keys (sorted by [`LayerTree::of`]) with what each sets (size and
/// is_dir, or nothing for an opaque marker), and the sum of the sizes dive counts.
type Raw<'a> = (Vec<(Key<'a>, Option<(i64, bool)>)>, u64);

/// Layers with more entries than this have their keys cleaned on two threads when they are
/// the only layer (nothing else to do on the other core yet).
const SPLIT_ENTRIES: usize = 1 << 16;

/// One entry as a tree key: what it sets (size and is_dir, or nothing for an opaque marker, whose
/// key is its directory's), or `None` when it has no key (a path with no names); `counted`
/// takes its size when dive counts it (the path has a name, or is rooted).
fn keyed<'a>(entry: &'a FileEntry, counted: &mut u64) -> Option<(Key<'a>, Option<(i64, bool)>)> {
    let key = clean(&entry.path);
    // An empty key is a path with no name (`has_components` is false).
    if !key.is_empty() || entry.path.starts_with('/') {
        *counted = counted.saturating_add(entry.size);
    }
    match opaque_name(&key) {
        Some(end) => {
            let parent = end.saturating_sub(1);
            let key = match key {
                Cow::Borrowed(key) => Cow::Borrowed(&key[..parent]),
                Cow::Owned(key) => Cow::Owned(key[..parent].to_string()),
            };
            Some((key, None))
        }
        None if key.is_empty() => None,
        None => {
            let size = i64::try_from(entry.size).unwrap_or(i64::MAX);
            Some((key, Some((size, entry.is_dir))))
        }
    }
}

impl<'a> LayerTree<'a> {
    /// The entries' keys, in entry order.
    fn raw(entries: &'a [FileEntry]) -> Raw<'a> {
        let mut raw: Vec<(Key<'a>, Option<(i64, bool)>)> = Vec::with_capacity(entries.len());
        let mut counted = 0u64;
        raw.extend(
            entries
                .iter()
                .filter_map(|entry| keyed(entry, &mut counted)),
        );
        (raw, counted)
    }

    /// [`LayerTree::raw`] of the two halves of `entries` on two threads, joined in entry order.
    fn raw_split(entries: &'a [FileEntry]) -> Raw<'a> {
        let (first, second) = entries.split_at(entries.len() / 2);
        std::thread::scope(|scope| {
            let later = scope.spawn(|| LayerTree::raw(second));
            let (mut raw, counted) = LayerTree::raw(first);
            let (rest, more) = later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            raw.extend(rest);
            (raw, counted.saturating_add(more))
        })
    }

    /// The tree of one layer; `split`: its keys cleaned on two threads when it is large and out
    /// of order.
    fn of(entries: &'a [FileEntry], layer: usize, split: bool) -> LayerTree<'a> {
        let in_order = match split && entries.len() > SPLIT_ENTRIES {
            true => LayerTree::in_order_split(entries, layer),
            false => LayerTree::in_order(entries, layer, &[], entries.len()),
        };
        if let Some(tree) = in_order {
            return tree;
        }
        let (mut raw, size) = if split && entries.len() > SPLIT_ENTRIES {
            LayerTree::raw_split(entries)
        } else {
            LayerTree::raw(entries)
        };
        // Stable: among equal keys the later entry stays later.
        raw.sort_by(|a, b| key_cmp(&a.0, &b.0));
        LayerTree::built(raw.into_iter(), raw_room(entries.len()), layer, size, &[])
    }

    /// The tree of a layer whose entries come in the walk's order already (a tar written by a
    /// directory walk in name order, as most are), built as they are cleaned: no list of keys
    /// held and sorted. `None` at the first entry out of order. `above`: see [`LayerTree::built`];
    /// `room`: room made for the nodes of this many entries.
    fn in_order(
        entries: &'a [FileEntry],
        layer: usize,
        above: &[Key<'a>],
        room: usize,
    ) -> Option<LayerTree<'a>> {
        let mut counted = 0u64;
        let mut out_of_order = false;
        let mut last: Option<Key<'a>> = None;
        let keys = entries
            .iter()
            .filter_map(|entry| keyed(entry, &mut counted))
            .take_while(|(key, _)| {
                if last.as_ref().is_some_and(|last| key_cmp(last, key).is_gt()) {
                    out_of_order = true;
                    return false;
                }
                last = Some(key.clone());
                true
            });
        let tree = LayerTree::built(keys, raw_room(room) + above.len(), layer, 0, above);
        (!out_of_order).then_some(LayerTree {
            size: counted,
            ..tree
        })
    }

    /// [`LayerTree::in_order`] of a large layer in two halves on two threads. The second half is
    /// built below the ancestors of its first key that the first half made (they are its first
    /// nodes, left out when it is appended). `None` as `in_order`, or when the halves would meet
    /// inside one key's entries.
    fn in_order_split(entries: &'a [FileEntry], layer: usize) -> Option<LayerTree<'a>> {
        let key_of = |entry: &'a FileEntry| keyed(entry, &mut 0).map(|(key, _)| key);
        let (first, second) = entries.split_at(entries.len() / 2);
        let last = first.iter().rev().find_map(key_of)?;
        let next = second.iter().find_map(key_of)?;
        if !key_cmp(&last, &next).is_lt() {
            return None;
        }
        // The ancestors of `next` the first half made: those of `last`, and `last` itself.
        let above: Vec<Key<'a>> = next
            .match_indices('/')
            .map(|(end, _)| match &next {
                Cow::Borrowed(key) => Cow::Borrowed(&key[..end]),
                Cow::Owned(key) => Cow::Owned(key[..end].to_string()),
            })
            .take_while(|parent| **parent == *last || is_below(parent, &last))
            .collect();
        std::thread::scope(|scope| {
            let later = scope.spawn(|| LayerTree::in_order(second, layer, &above, second.len()));
            // Room for both halves: the second is appended without a copy of the first.
            let tree = LayerTree::in_order(first, layer, &[], entries.len());
            let rest = later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let (mut tree, rest) = (tree?, rest?);
            tree.tree
                .nodes
                .extend(rest.tree.nodes.into_iter().skip(above.len()));
            tree.opaque
                .extend(rest.opaque.into_iter().skip(above.len()));
            tree.whiteouts |= rest.whiteouts;
            tree.climbs |= rest.climbs;
            tree.size = tree.size.saturating_add(rest.size);
            Some(tree)
        })
    }

    /// The tree of `raw` keys in walk order (equal keys in entry order): see [`Building`].
    fn built(
        raw: impl Iterator<Item = (Key<'a>, Option<(i64, bool)>)>,
        room: usize,
        layer: usize,
        size: u64,
        above: &[Key<'a>],
    ) -> LayerTree<'a> {
        let mut building = Building::new(room, layer, above);
        for (key, set) in raw {
            building.push(key, set);
        }
        building.finish(size)
    }
}

/// What the entries of one key set: whether one of them is an opaque marker, and the size and
/// is_dir of the last that sets them.
type Pending<'a> = (Key<'a>, bool, Option<(i64, bool)>);

/// A layer's tree made from its keys in walk order (equal keys together, in entry order), one
/// key at a time: a later entry for the same key replaces the earlier, missing parents are added.
struct Building<'a> {
    nodes: Vec<Node<'a>>,
    opaque: Vec<bool>,
    /// The open directories, top down (indexes of nodes).
    open: Vec<usize>,
    whiteouts: bool,
    climbs: bool,
    layer: usize,
    /// The last key given, not yet placed: the next may be the same.
    pending: Option<Pending<'a>>,
}

impl<'a> Building<'a> {
    /// Room made for `room` nodes. `above`: nodes made already (a chain of parents, top down,
    /// that the keys are below or after), the tree's first nodes.
    fn new(room: usize, layer: usize, above: &[Key<'a>]) -> Building<'a> {
        let mut building = Building {
            nodes: Vec::with_capacity(room),
            opaque: Vec::with_capacity(room),
            open: Vec::new(),
            whiteouts: false,
            climbs: false,
            layer,
            pending: None,
        };
        for parent in above {
            building.open.push(building.nodes.len());
            building.nodes.push(Node::parent(parent.clone()));
            building.opaque.push(false);
        }
        building
    }

    /// The last key given.
    fn last_key(&self) -> Option<&Key<'a>> {
        self.pending.as_ref().map(|(key, _, _)| key)
    }

    /// The next key and what its entry sets (nothing for an opaque marker).
    fn push(&mut self, key: Key<'a>, set: Option<(i64, bool)>) {
        if let Some((last, marked, was)) = self.pending.as_mut()
            && *last == key
        {
            *marked |= set.is_none();
            *was = set.or(*was);
            return;
        }
        if let Some(pending) = self.pending.replace((key, set.is_none(), set)) {
            self.place(pending);
        }
    }

    fn place(&mut self, (key, marked, last): Pending<'a>) {
        if key.is_empty() {
            return;
        }
        let nodes = &mut self.nodes;
        while let Some(&top) = self.open.last() {
            if is_below(&nodes[top].key, &key) {
                break;
            }
            self.open.pop();
        }
        // Missing parents, top down.
        let from = self.open.last().map_or(0, |&top| nodes[top].key.len() + 1);
        for (at, _) in key[from..].match_indices('/') {
            let end = from + at;
            let parent = match &key {
                Cow::Borrowed(key) => Cow::Borrowed(&key[..end]),
                Cow::Owned(key) => Cow::Owned(key[..end].to_string()),
            };
            self.open.push(nodes.len());
            let parent = Node::parent(parent);
            self.whiteouts |= parent.whiteout;
            self.climbs |= climbing(&parent.key);
            nodes.push(parent);
            self.opaque.push(false);
        }
        self.open.push(nodes.len());
        let mut node = Node::parent(key);
        if let Some((size, is_dir)) = last {
            node.size = size;
            node.is_dir = is_dir;
            node.entry = true;
            node.layer = self.layer;
        }
        self.whiteouts |= node.whiteout;
        self.climbs |= climbing(&node.key);
        nodes.push(node);
        self.opaque.push(marked);
    }

    /// The tree; `size`: the Σ of the sizes dive counts.
    fn finish(mut self, size: u64) -> LayerTree<'a> {
        if let Some(pending) = self.pending.take() {
            self.place(pending);
        }
        LayerTree {
            tree: Sorted { nodes: self.nodes },
            opaque: self.opaque,
            whiteouts: self.whiteouts,
            climbs: self.climbs,
            size,
        }
    }
}

/// Layer trees made while their layers were read, taken by the walks in place of making them
/// again after the read ([`Prebuilt::watch`] is the reader's [`LayerWatches`]). A layer read in
/// walk order (as tar writers list a directory walk) has its tree made as its entries arrive, on
/// the thread that walks its tar headers, which mostly waits for the inflater: its keys are
/// copied (the entries are still being read), and at the first entry out of order it is given
/// up and made after the read, sorted. The trees stay held here while the walks borrow them, and
/// are freed with the last clone of this.
#[derive(Clone, Default)]
pub struct Prebuilt {
    trees: Arc<Mutex<Vec<Made>>>,
}

/// A tree made while its layer was read: the layer's index and its number of entries.
struct Made {
    layer: usize,
    entries: usize,
    /// Given to a walk already (each is taken once).
    taken: bool,
    tree: Arc<LayerTree<'static>>,
}

impl Prebuilt {
    /// The tree made of layer `layer`'s `entries` entries, taken out (it stays held here too:
    /// it is freed with this, not by the walk).
    fn take(&self, layer: usize, entries: usize) -> Option<Arc<LayerTree<'static>>> {
        let mut trees = self.trees.lock().unwrap_or_else(PoisonError::into_inner);
        let made = trees
            .iter_mut()
            .find(|made| made.layer == layer && made.entries == entries && !made.taken)?;
        made.taken = true;
        Some(Arc::clone(&made.tree))
    }
}

impl LayerWatches for Prebuilt {
    fn watch(&self, layer: usize) -> Box<dyn EntryWatch> {
        Box::new(Streaming {
            building: Some(Building::new(0, layer, &[])),
            counted: 0,
            entries: 0,
            layer,
            trees: Arc::clone(&self.trees),
        })
    }
}

/// One layer's tree made as its entries arrive ([`Prebuilt`]).
struct Streaming {
    /// `None` once an entry came out of walk order.
    building: Option<Building<'static>>,
    /// Σ of the sizes dive counts.
    counted: u64,
    entries: usize,
    layer: usize,
    trees: Arc<Mutex<Vec<Made>>>,
}

impl EntryWatch for Streaming {
    fn entry(&mut self, entry: &FileEntry) {
        self.entries += 1;
        let Some(building) = self.building.as_mut() else {
            return;
        };
        let Some((key, set)) = keyed(entry, &mut self.counted) else {
            return;
        };
        if building
            .last_key()
            .is_some_and(|last| key_cmp(last, &key).is_gt())
        {
            self.building = None;
            return;
        }
        building.push(Cow::Owned(key.into_owned()), set);
    }

    fn end(self: Box<Self>) {
        let Some(building) = self.building else {
            return;
        };
        let made = Made {
            layer: self.layer,
            entries: self.entries,
            tree: Arc::new(building.finish(self.counted)),
            taken: false,
        };
        self.trees
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(made);
    }
}

/// Whether a key starts with `..`: an unrooted path climbing out.
fn climbing(key: &str) -> bool {
    key == ".." || key.starts_with("../")
}

/// Room for the nodes of `entries` entries and the parents they do not list: a few top
/// directories, usually (growing a vector of half a million nodes by one copies all of it).
fn raw_room(entries: usize) -> usize {
    entries + entries / 16 + 64
}

/// A key ordered as [`key_cmp`] orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ordered<'a>(Key<'a>);

impl Ord for Ordered<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        key_cmp(&self.0, &other.0)
    }
}

impl PartialOrd for Ordered<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The stacked layers while one layer is laid over them one operation at a time.
struct Editing<'a> {
    nodes: BTreeMap<Ordered<'a>, Node<'a>>,
}

impl<'a> Editing<'a> {
    /// Takes away the subtree under `key`, and `key` itself unless `keep_top`.
    fn cut(&mut self, key: &str, keep_top: bool) {
        let below: Vec<Ordered<'a>> = self
            .nodes
            .range(Ordered(Cow::Owned(key.to_string()))..)
            .map(|(k, _)| k)
            .take_while(|k| k.0 == key || is_below(key, &k.0))
            .filter(|k| !(keep_top && k.0 == key))
            .cloned()
            .collect();
        for k in below {
            self.nodes.remove(&k);
        }
    }

    /// dive's `AddPath` for a cleaned key.
    fn add(&mut self, key: Key<'a>, size: i64, is_dir: bool, layer: usize) {
        if key.is_empty() {
            return;
        }
        for (end, _) in key.match_indices('/') {
            let parent = &key[..end];
            if !self.nodes.contains_key(&Ordered(Cow::Borrowed(parent))) {
                if last_name(parent).starts_with(OPAQUE) {
                    return;
                }
                let parent: Key<'a> = Cow::Owned(parent.to_string());
                self.nodes
                    .insert(Ordered(parent.clone()), Node::parent(parent));
            }
        }
        if last_name(&key).starts_with(OPAQUE) && !self.nodes.contains_key(&Ordered(key.clone())) {
            return;
        }
        let node = self
            .nodes
            .entry(Ordered(key.clone()))
            .or_insert_with(|| Node::parent(key));
        node.size = size;
        node.is_dir = is_dir;
        node.entry = true;
        node.layer = layer;
    }
}

impl<'a> Sorted<'a> {
    /// dive's `Stack`: `upper` laid over these nodes. dive ignores opaque markers; with
    /// `honour_opaque` (the filesystem a container sees) an opaque directory of `upper` first
    /// hides everything below it.
    fn stack(&mut self, upper: &LayerTree<'a>, honour_opaque: bool) {
        let opaque = honour_opaque && upper.opaque.iter().any(|&o| o);
        if !upper.whiteouts && !opaque && !upper.climbs {
            self.merge(&upper.tree);
            return;
        }
        let mut editing = Editing {
            nodes: std::mem::take(&mut self.nodes)
                .into_iter()
                .map(|node| (Ordered(node.key.clone()), node))
                .collect(),
        };
        let order = upper.tree.post_order();
        if opaque {
            for &index in order.iter().filter(|&&index| upper.opaque[index]) {
                let path = upper.tree.nodes[index].path();
                editing.cut(&lookup_key(&path), true);
            }
        }
        for index in order {
            let node = &upper.tree.nodes[index];
            if node.is_whiteout() {
                let path = node.path();
                let key = lookup_key(&path);
                if !key.is_empty() {
                    editing.cut(&key, false);
                }
            } else {
                let key = if climbing(&node.key) {
                    Cow::Owned(components(&format!("/{}", node.key)).join("/"))
                } else {
                    node.key.clone()
                };
                editing.add(key, node.size, node.is_dir, node.layer);
            }
        }
        self.nodes = editing.nodes.into_values().collect();
    }

    /// [`Sorted::stack`] of a layer with no whiteouts, nothing opaque and no climbing key:
    /// every node of `upper` is written over its path.
    fn merge(&mut self, upper: &Sorted<'a>) {
        let below = std::mem::take(&mut self.nodes);
        let mut out = Vec::with_capacity(below.len() + upper.nodes.len());
        let mut below = below.into_iter().peekable();
        for node in &upper.nodes {
            while let Some(old) = below.next_if(|old| key_cmp(&old.key, &node.key).is_lt()) {
                out.push(old);
            }
            below.next_if(|old| old.key == node.key);
            out.push(Node {
                entry: true,
                ..node.clone()
            });
        }
        out.extend(below);
        self.nodes = out;
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
    final_files_of(&view(&trees(layers, None)))
}

/// [`final_files`] of the layers' trees.
fn final_files_of(trees: &[&LayerTree<'_>]) -> Vec<FinalFile> {
    stacked_for_files(trees).files()
}

/// The layers stacked as a container sees them. A first layer that [`Sorted::stack`] would
/// merge over nothing (no whiteouts, opaque markers or climbing keys) is borrowed, not copied,
/// while it is the only one: the merge would only set `entry` on its nodes, and the nodes without
/// it are parents added for a child, never leaves, which [`Sorted::kept`] passes over anyway.
fn stacked_for_files<'t, 'a>(trees: &[&'t LayerTree<'a>]) -> Cow<'t, Sorted<'a>> {
    let Some((first, rest)) = trees.split_first() else {
        return Cow::Owned(Sorted::default());
    };
    let merged = !first.whiteouts && !first.climbs && !first.opaque.iter().any(|&o| o);
    let mut stacked = if merged {
        Cow::Borrowed(&first.tree)
    } else {
        let mut stacked = Sorted::default();
        stacked.stack(first, true);
        Cow::Owned(stacked)
    };
    for tree in rest {
        let mut owned = match stacked {
            Cow::Borrowed(first) => Sorted {
                nodes: first
                    .nodes
                    .iter()
                    .map(|node| Node {
                        entry: true,
                        ..node.clone()
                    })
                    .collect(),
            },
            Cow::Owned(stacked) => stacked,
        };
        owned.stack(tree, true);
        stacked = Cow::Owned(owned);
    }
    stacked
}

/// Every layer's tree, in layer order: taken from `prebuilt` when it was made while the layer
/// was read, else built, with more than one layer on two threads (each takes the next layer not
/// yet taken).
fn trees<'a>(layers: &[&'a [FileEntry]], prebuilt: Option<&Prebuilt>) -> Vec<Tree<'a>> {
    let made: Vec<Option<Tree<'a>>> = layers
        .iter()
        .enumerate()
        .map(|(index, entries)| {
            prebuilt
                .and_then(|made| made.take(index, entries.len()))
                .map(Tree::Made)
        })
        .collect();
    let wanted: Vec<usize> = (0..layers.len()).filter(|&i| made[i].is_none()).collect();
    let mut built = built_trees(layers, &wanted).into_iter().map(Tree::Built);
    made.into_iter()
        .map(|tree| tree.unwrap_or_else(|| built.next().expect("a tree for every layer wanted")))
        .collect()
}

/// A layer's tree for the walks: built for them, or made while the layer was read (held by the
/// [`Prebuilt`] it came from, which frees it).
enum Tree<'a> {
    Built(LayerTree<'a>),
    Made(Arc<LayerTree<'static>>),
}

impl<'a> std::ops::Deref for Tree<'a> {
    type Target = LayerTree<'a>;

    fn deref(&self) -> &LayerTree<'a> {
        match self {
            Tree::Built(tree) => tree,
            Tree::Made(tree) => tree,
        }
    }
}

/// The trees as the walks read them.
fn view<'t, 'a>(trees: &'t [Tree<'a>]) -> Vec<&'t LayerTree<'a>> {
    trees.iter().map(|tree| &**tree).collect()
}

/// The trees of the layers at `wanted` (indexes, in order), in that order: with more than one,
/// built on two threads (each takes the next layer not yet taken).
fn built_trees<'a>(layers: &[&'a [FileEntry]], wanted: &[usize]) -> Vec<LayerTree<'a>> {
    if wanted.len() < 2 {
        return wanted
            .iter()
            .map(|&index| LayerTree::of(layers[index], index, true))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let build = || {
        let mut built = Vec::new();
        loop {
            let next = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&index) = wanted.get(next) else {
                return built;
            };
            built.push((index, LayerTree::of(layers[index], index, false)));
        }
    };
    let mut built = std::thread::scope(|scope| {
        let other = scope.spawn(build);
        let mut built = build();
        built.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        built
    });
    built.sort_unstable_by_key(|(index, _)| *index);
    built.into_iter().map(|(_, tree)| tree).collect()
}

/// dive's figures ([`waste`]) and what `then` makes of the final files ([`final_files`], as
/// [`KeptFile`]s: no path is copied) of the same layers, each layer's tree built once for both:
/// dive's walk runs on a second thread while the final filesystem is stacked and `then` is run
/// on its files (an image of many files spends most of the walk's time here, after its layers
/// are read).
pub fn waste_and_final_files<R>(
    layers: &[&[FileEntry]],
    prebuilt: Option<&Prebuilt>,
    then: impl FnOnce(&[KeptFile<'_>]) -> R,
) -> (Waste, R) {
    let held = trees(layers, prebuilt);
    let trees = view(&held);
    std::thread::scope(|scope| {
        let dive = scope.spawn(|| waste_of(&trees));
        let stacked = stacked_for_files(&trees);
        let then = then(&stacked.kept());
        let waste = dive
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (waste, then)
    })
}

/// A file of the final filesystem as the walk keeps it: its node borrowed (a pointer a file:
/// an image of half a million files keeps them in 4 MB, nothing copied).
#[derive(Debug, Clone, Copy)]
pub struct KeptFile<'s> {
    node: &'s Node<'s>,
}

impl KeptFile<'_> {
    /// The cleaned names joined with `/`: the path without its leading `/`.
    pub fn key(&self) -> &str {
        &self.node.key
    }

    /// File content bytes (hard links and symlinks 0), as dive counts them.
    pub fn size(&self) -> u64 {
        u64::try_from(self.node.size).unwrap_or(0)
    }

    /// The layer whose entry last wrote it.
    pub fn layer(&self) -> usize {
        self.node.layer
    }

    /// The path as dive writes it: `/` and the key.
    pub fn path(&self) -> String {
        let key = self.key();
        let mut path = String::with_capacity(key.len() + 1);
        path.push('/');
        path.push_str(key);
        path
    }
}

impl Sorted<'_> {
    /// The files of a container's stacked layers: entries that are not directories, whiteouts
    /// or parents.
    fn kept(&self) -> Vec<KeptFile<'_>> {
        let stacked = self;
        let mut files = Vec::with_capacity(stacked.nodes.len());
        files.extend(
            (0..stacked.nodes.len())
                .filter(|&index| {
                    let node = &stacked.nodes[index];
                    node.entry && !node.is_dir && !node.is_whiteout() && stacked.is_leaf(index)
                })
                .map(|index| KeptFile {
                    node: &stacked.nodes[index],
                }),
        );
        files
    }

    /// [`Sorted::kept`] with their paths.
    fn files(&self) -> Vec<FinalFile> {
        self.kept()
            .iter()
            .map(|kept| FinalFile {
                path: kept.path(),
                size: kept.size(),
                layer: kept.layer(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    cumulative: i64,
    smallest: i64,
    count: u64,
}

impl Seen {
    const NONE: Seen = Seen {
        cumulative: 0,
        smallest: -1,
        count: 0,
    };
}

/// A path seen, with what was seen of it and the order it was first seen in (layer, walk
/// position).
type Sighted<'a> = (Key<'a>, Seen, (usize, usize));

/// Where a layer's sightings, merged with those of the layers before, go in key order: held for
/// the next layer's merge, or folded into the figures as they are made (the last layer's).
trait Merged<'a> {
    fn push(&mut self, sighted: Sighted<'a>);
    fn last_mut(&mut self) -> Option<&mut Sighted<'a>>;
}

impl<'a> Merged<'a> for Vec<Sighted<'a>> {
    fn push(&mut self, sighted: Sighted<'a>) {
        Vec::push(self, sighted);
    }

    fn last_mut(&mut self) -> Option<&mut Sighted<'a>> {
        <[Sighted<'a>]>::last_mut(self)
    }
}

/// Every path's sightings folded into dive's sums, in key order; the paths seen twice or more
/// kept with theirs.
#[derive(Default)]
struct Folded<'a> {
    /// The last path merged: still counting.
    counting: Option<Sighted<'a>>,
    /// Σ of every cumulative size, saturating.
    discovered: i64,
    /// Σ of the smallest sizes, those below zero as zero: whether the plain sum can overflow.
    positive: i128,
    /// Σ of the smallest sizes (−1 for a path seen with no size), in key order.
    smallest: i64,
    /// Paths seen more than once, in key order.
    repeated: Vec<(Key<'a>, Seen)>,
}

impl<'a> Folded<'a> {
    fn add(&mut self, (key, data, _): Sighted<'a>) {
        self.discovered = self.discovered.saturating_add(data.cumulative);
        self.positive += i128::from(data.smallest.max(0));
        self.smallest = self.smallest.wrapping_add(data.smallest);
        if data.count >= 2 {
            self.repeated.push((key, data));
        }
    }

    fn finish(mut self) -> Folded<'a> {
        if let Some(last) = self.counting.take() {
            self.add(last);
        }
        self
    }
}

impl<'a> Merged<'a> for Folded<'a> {
    fn push(&mut self, sighted: Sighted<'a>) {
        if let Some(done) = self.counting.replace(sighted) {
            self.add(done);
        }
    }

    fn last_mut(&mut self) -> Option<&mut Sighted<'a>> {
        self.counting.as_mut()
    }
}

/// Counts one layer's sightings (walk order) with `before` (key order) by a merge into `merged`;
/// returns the paths seen a second time, in walk order.
fn see<'a>(
    before: Vec<Sighted<'a>>,
    merged: &mut impl Merged<'a>,
    mut sightings: Vec<(Key<'a>, Option<i64>, usize)>,
    layer: usize,
) -> Vec<Key<'a>> {
    // Stable: a path seen twice in the layer (a whiteout beside its own name) keeps walk order.
    sightings.sort_by(|a, b| key_cmp(&a.0, &b.0));
    let mut doubled = see_in_key_order(before, merged, sightings.into_iter(), layer);
    doubled.sort_by_key(|(at, _)| *at);
    doubled.into_iter().map(|(_, path)| path).collect()
}

/// [`see`] of sightings in key order already; returns the paths seen a second time with their
/// walk positions, in key order.
fn see_in_key_order<'a>(
    before: Vec<Sighted<'a>>,
    merged: &mut impl Merged<'a>,
    sightings: impl Iterator<Item = (Key<'a>, Option<i64>, usize)>,
    layer: usize,
) -> Vec<(usize, Key<'a>)> {
    let mut before = before.into_iter().peekable();
    let mut doubled: Vec<(usize, Key<'a>)> = Vec::new();
    for (path, size, at) in sightings {
        while let Some(old) = before.next_if(|old| key_cmp(&old.0, &path).is_lt()) {
            merged.push(old);
        }
        if merged.last_mut().is_none_or(|last| last.0 != path) {
            let slot = before
                .next_if(|old| old.0 == path)
                .unwrap_or_else(|| (path.clone(), Seen::NONE, (layer, at)));
            merged.push(slot);
        }
        let Some(size) = size else {
            continue;
        };
        let data = &mut merged.last_mut().expect("pushed above").1;
        data.cumulative = data.cumulative.saturating_add(size);
        if data.smallest < 0 || size < data.smallest {
            data.smallest = size;
        }
        data.count += 1;
        if data.count == 2 {
            doubled.push((at, path));
        }
    }
    for old in before {
        merged.push(old);
    }
    doubled
}

/// Σ of every path's smallest size, saturating as dive's fold over its map does, when the sizes
/// can reach the bound (sizes of exabytes only a forged header gives; below it the order does not
/// matter and [`Folded`] sums them): folded in the order of a map filled in the order paths were
/// first seen, as the tree walk's map was.
fn sum_of_smallest_past_the_bound(seen: &[Sighted<'_>]) -> i64 {
    let mut first: Vec<&Sighted<'_>> = seen.iter().collect();
    first.sort_by_key(|(_, _, order)| *order);
    let mut map: FxHashMap<&str, Seen> = FxHashMap::default();
    for (key, data, _) in first {
        map.insert(key, *data);
    }
    map.values()
        .fold(0i64, |sum, data| sum.saturating_add(data.smallest))
}

/// The stacked nodes [`waste`] looks whiteouts up in by the time it visits layer `index`: the
/// first layer's tree, then the layers before `index` stacked over it one by one.
fn stacked_below<'a>(trees: &[&LayerTree<'a>], index: usize) -> Sorted<'a> {
    let mut stacked = trees
        .first()
        .map(|first| first.tree.clone())
        .unwrap_or_default();
    for tree in trees.iter().take(index) {
        stacked.stack(tree, false);
    }
    stacked
}

/// dive's figures for the layers' entries, in layer order.
pub fn waste(layers: &[&[FileEntry]]) -> Waste {
    waste_of(&view(&trees(layers, None)))
}

/// [`waste`] of the layers and their trees.
fn waste_of(trees: &[&LayerTree<'_>]) -> Waste {
    // The last layer's sightings are folded as they are merged, not held; past the bound of the
    // sums (see `sum_of_smallest_past_the_bound`) every path seen is needed, held.
    waste_walk(trees, false).unwrap_or_else(|| {
        waste_walk(trees, true).expect("the paths seen are held: the sums are folded as dive does")
    })
}

/// dive's walk of the layers: every layer's sightings merged with those of the layers below;
/// `hold_last`: the last layer's held too. `None` when the smallest sizes' sum reaches the bound
/// and the paths seen were not held.
fn waste_walk(trees: &[&LayerTree<'_>], hold_last: bool) -> Option<Waste> {
    let sizes: Vec<u64> = trees.iter().map(|tree| tree.size).collect();
    // Every path seen, in key order, with the order it was first seen in (layer, walk position).
    let mut seen: Vec<Sighted<'_>> = Vec::new();
    let mut folded = Folded::default();
    let mut inefficient: Vec<Key<'_>> = Vec::new();
    // dive restacks from the first layer for every whiteout; stacking one layer at a time gives
    // the same tree. The stacked nodes are only looked at for whiteouts: they are built at the
    // first one (from the layers below, as they would have been built step by step), so images
    // without whiteouts never hold them.
    let mut stacked: Option<Sorted<'_>> = None;
    for (index, tree) in trees.iter().enumerate() {
        if let (Some(stacked), Some(previous)) = (&mut stacked, index.checked_sub(1)) {
            stacked.stack(trees[previous], false);
        }
        let before = std::mem::take(&mut seen);
        let doubled = match index + 1 == trees.len() && !hold_last {
            true => see_layer(before, &mut folded, trees, index, &mut stacked),
            false => {
                let mut held = Vec::with_capacity(before.len() + tree.tree.nodes.len());
                let doubled = see_layer(before, &mut held, trees, index, &mut stacked);
                seen = held;
                doubled
            }
        };
        inefficient.extend(doubled);
    }
    for sighted in &seen {
        folded.add(sighted.clone());
    }
    let folded = folded.finish();
    let smallest = match folded.positive <= i128::from(i64::MAX) {
        true => folded.smallest,
        false if hold_last => sum_of_smallest_past_the_bound(&seen),
        false => return None,
    };
    let discovered = folded.discovered;
    let efficiency = if discovered == 0 {
        1.0
    } else {
        smallest as f64 / discovered as f64
    };
    let inefficient_files: Vec<Inefficiency> = inefficient
        .into_iter()
        .map(|path| {
            let at = folded
                .repeated
                .binary_search_by(|(key, _)| key_cmp(key, &path))
                .expect("an inefficient path was seen");
            let data = &folded.repeated[at].1;
            Inefficiency {
                cumulative_bytes: u64::try_from(data.cumulative).unwrap_or(0),
                count: data.count,
                path: format!("/{path}"),
            }
        })
        .collect();
    Some(summary(efficiency, &sizes, inefficient_files))
}

/// Layer `index`'s sightings merged with `before` (the layers below) into `merged`; returns the
/// paths seen a second time, in walk order. `stacked`: the layers below stacked, made at the
/// first whiteout.
fn see_layer<'t, 'a>(
    before: Vec<Sighted<'t>>,
    merged: &mut impl Merged<'t>,
    trees: &[&'t LayerTree<'a>],
    index: usize,
    stacked: &mut Option<Sorted<'a>>,
) -> Vec<Key<'t>> {
    let tree = &trees[index];
    if !tree.whiteouts {
        // No whiteout: the leaves, in walk order, are in key order (each its own path) and are
        // merged as they are walked.
        let leaves = (0..tree.tree.nodes.len())
            .filter(|&at| tree.tree.is_leaf(at))
            .map(|at| {
                let node = &tree.tree.nodes[at];
                (Cow::Borrowed(&*node.key), Some(node.size), at)
            });
        let doubled = see_in_key_order(before, merged, leaves, index);
        return doubled.into_iter().map(|(_, path)| path).collect();
    }
    // This layer's sightings in walk order: path, size (none: seen with no size), position.
    let mut sightings: Vec<(Key<'t>, Option<i64>, usize)> = Vec::new();
    for at in 0..tree.tree.nodes.len() {
        if !tree.tree.is_leaf(at) {
            continue;
        }
        let node = &tree.tree.nodes[at];
        let path = node.path();
        let size = if node.is_whiteout() {
            let stacked = stacked.get_or_insert_with(|| stacked_below(trees, index));
            let key = lookup_key(&path);
            if key.is_empty() {
                // The root: not a directory in dive's tree.
                0
            } else {
                match stacked.find(&key) {
                    // dive's visitor returns the error: the rest of this layer goes unvisited.
                    None => {
                        sightings.push((path, None, at));
                        break;
                    }
                    Some(below) if stacked.nodes[below].is_dir => stacked.nodes
                        [below..stacked.subtree_end(below)]
                        .iter()
                        .fold(0i64, |sum, node| sum.saturating_add(node.size)),
                    Some(_) => 0,
                }
            }
        } else {
            node.size
        };
        sightings.push((path, Some(size), at));
    }
    see(before, merged, sightings, index)
}

#[cfg(test)]
mod reference;

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

#[cfg(test)]
mod against_the_reference {
    use proptest::prelude::*;

    use super::*;

    /// Names that make every case of dive's trees: whiteouts (of files, directories, names
    /// sorting before `.`), opaque markers, `.`/`..`/empty names, names sorting around `/`.
    const NAMES: &[&str] = &[
        "a",
        "b",
        "a.b",
        "-p",
        "a-",
        ".wh.a",
        ".wh.b",
        ".wh.-p",
        ".wh.a.b",
        ".wh..wh..opq",
        ".wh.",
        ".wh...",
        ".",
        "..",
        "",
    ];

    fn entry() -> impl Strategy<Value = FileEntry> {
        (
            prop::sample::select(&["", "/", "./", "../"][..]),
            prop::collection::vec(prop::sample::select(NAMES), 0..4),
            prop::bool::ANY,
            prop_oneof![8 => 0u64..100, 1 => Just(u64::MAX), 1 => Just(i64::MAX as u64 - 1)],
            prop::bool::ANY,
        )
            .prop_map(|(lead, names, trailing, size, is_dir)| FileEntry {
                path: format!(
                    "{lead}{}{}",
                    names.join("/"),
                    if trailing { "/" } else { "" }
                ),
                size,
                is_dir,
            })
    }

    /// `entries` sorted (stably) by the keys they set, as a directory walk lists them.
    fn in_walk_order(mut entries: Vec<FileEntry>) -> Vec<FileEntry> {
        entries.sort_by(|a, b| {
            let key = |entry: &FileEntry| keyed(entry, &mut 0).map(|(key, _)| key.into_owned());
            match (key(a), key(b)) {
                (Some(a), Some(b)) => key_cmp(&a, &b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            }
        });
        entries
    }

    /// Everything a layer's tree holds, to compare two.
    #[allow(clippy::type_complexity)]
    fn shape(
        tree: &LayerTree<'_>,
    ) -> (
        Vec<(String, i64, bool, bool, bool, usize)>,
        Vec<bool>,
        bool,
        bool,
        u64,
    ) {
        let nodes = tree
            .tree
            .nodes
            .iter()
            .map(|n| {
                (
                    n.key.to_string(),
                    n.size,
                    n.is_dir,
                    n.whiteout,
                    n.entry,
                    n.layer,
                )
            })
            .collect();
        (
            nodes,
            tree.opaque.clone(),
            tree.whiteouts,
            tree.climbs,
            tree.size,
        )
    }

    /// The trees made of `layers` as a reader makes them, entry by entry.
    fn watched(layers: &[&[FileEntry]]) -> Prebuilt {
        let prebuilt = Prebuilt::default();
        for (index, entries) in layers.iter().enumerate() {
            let mut watch = prebuilt.watch(index);
            for entry in entries.iter() {
                watch.entry(entry);
            }
            watch.end();
        }
        prebuilt
    }

    fn layers() -> impl Strategy<Value = Vec<Vec<FileEntry>>> {
        prop::collection::vec(prop::collection::vec(entry(), 0..14), 0..5)
    }

    #[test]
    fn a_saturated_sum_beside_a_stopped_walk_is_folded_as_the_tree_walk_folds_it() {
        for variant in 0..60 {
            let huge = |name: String| FileEntry {
                path: name,
                size: u64::MAX,
                is_dir: false,
            };
            let base: Vec<FileEntry> = (0..3).map(|i| huge(format!("f{variant}-{i}"))).collect();
            // Not below: stops the walk and leaves the path seen with no size (-1).
            let second = vec![
                huge(format!(".wh.gone{variant}")),
                huge(format!("g{variant}")),
            ];
            let third = vec![huge(format!(".wh.lost{variant}"))];
            let layers: Vec<&[FileEntry]> = vec![&base, &second, &third];
            let (new, old) = (waste(&layers), reference::waste(&layers));
            assert_eq!(
                new.efficiency.to_bits(),
                old.efficiency.to_bits(),
                "{variant}"
            );
            assert_eq!(new, old);
        }
    }

    /// The second half of a layer built below the directories the first half opened: no
    /// parent twice, the same tree as one walk.
    #[test]
    fn a_layer_built_in_halves_opens_each_directory_once() {
        let entries: Vec<FileEntry> = ["a/", "a/b/", "a/b/c", "a/b/d/e", "a/f", "g"]
            .into_iter()
            .map(|path| FileEntry {
                path: path.to_string(),
                size: path.len() as u64,
                is_dir: path.ends_with('/'),
            })
            .collect();
        let halves = LayerTree::in_order_split(&entries, 1).expect("in order");
        let whole = LayerTree::in_order(&entries, 1, &[], entries.len()).expect("in order");
        let keys: Vec<&str> = halves.tree.nodes.iter().map(|n| &*n.key).collect();
        assert_eq!(keys, ["a", "a/b", "a/b/c", "a/b/d", "a/b/d/e", "a/f", "g"]);
        assert_eq!(shape(&halves), shape(&whole));
    }

    proptest! {
        /// Keys compared eight bytes at a time order as names compared byte by byte, `/` below
        /// every other byte.
        #[test]
        fn keys_order_as_their_walk(a in "[a/.\\x00\\x7f\\u{e9}]{0,40}", b in "[a/.\\x00\\x7f\\u{e9}]{0,40}") {
            let rank = |key: &str| -> Vec<u16> {
                key.bytes()
                    .map(|byte| if byte == b'/' { 0 } else { u16::from(byte) + 1 })
                    .collect()
            };
            prop_assert_eq!(key_cmp(&a, &b), rank(&a).cmp(&rank(&b)));
            let shared = format!("{a}{a}{b}");
            prop_assert_eq!(key_cmp(&shared, &format!("{a}{a}{a}")), rank(&shared).cmp(&rank(&format!("{a}{a}{a}"))));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Layers in any order, or listed in the walk's order (as directory walks write them:
        /// their trees built as they are read).
        #[test]
        fn the_sorted_walk_gives_the_tree_walks_figures(
            layers in layers(),
            walk_order in prop::bool::ANY,
        ) {
            let layers: Vec<Vec<FileEntry>> = match walk_order {
                true => layers.into_iter().map(in_walk_order).collect(),
                false => layers,
            };
            let layers: Vec<&[FileEntry]> = layers.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(final_files(&layers), reference::final_files(&layers));
            let (new, old) = (waste(&layers), reference::waste(&layers));
            prop_assert_eq!(new.efficiency.to_bits(), old.efficiency.to_bits());
            prop_assert_eq!(&new, &old);
            // With the trees made as the layers were read (those in walk order).
            let prebuilt = watched(&layers);
            let (watched, files) = waste_and_final_files(&layers, Some(&prebuilt), |kept| {
                kept.iter()
                    .map(|file| FinalFile { path: file.path(), size: file.size(), layer: file.layer() })
                    .collect::<Vec<_>>()
            });
            prop_assert_eq!(files, reference::final_files(&layers));
            prop_assert_eq!(watched.efficiency.to_bits(), old.efficiency.to_bits());
            prop_assert_eq!(watched, old);
        }

        /// A layer's tree built as its entries are read is the tree of its sorted keys; a layer
        /// out of order is not built so.
        #[test]
        fn a_tree_built_in_order_is_the_sorted_tree(
            entries in prop::collection::vec(entry(), 0..40),
            sort in prop::bool::ANY,
        ) {
            let entries = if sort { in_walk_order(entries) } else { entries };
            let keys: Vec<Key<'_>> =
                entries.iter().filter_map(|e| keyed(e, &mut 0)).map(|(key, _)| key).collect();
            let ordered = keys.windows(2).all(|pair| key_cmp(&pair[0], &pair[1]).is_le());
            let (mut raw, size) = LayerTree::raw(&entries);
            raw.sort_by(|a, b| key_cmp(&a.0, &b.0));
            let sorted = LayerTree::built(raw.into_iter(), 0, 3, size, &[]);
            match LayerTree::in_order(&entries, 3, &[], entries.len()) {
                Some(tree) => {
                    prop_assert!(ordered);
                    prop_assert_eq!(shape(&tree), shape(&sorted));
                }
                None => prop_assert!(!ordered),
            }
            // In two halves: the same tree, or none (out of order, or halves meeting inside
            // one key's entries).
            if let Some(tree) = LayerTree::in_order_split(&entries, 3) {
                prop_assert!(ordered);
                prop_assert_eq!(shape(&tree), shape(&sorted));
            }
            // As the entries are read: the same tree, or none when out of order; taken once,
            // and only for its layer and number of entries.
            let prebuilt = watched(&[&entries[..]]);
            prop_assert!(prebuilt.take(3, entries.len() + 1).is_none());
            prop_assert!(prebuilt.take(2, entries.len()).is_none());
            match prebuilt.take(0, entries.len()) {
                Some(tree) => {
                    prop_assert!(ordered);
                    let (mut raw, size) = LayerTree::raw(&entries);
                    raw.sort_by(|a, b| key_cmp(&a.0, &b.0));
                    let sorted = LayerTree::built(raw.into_iter(), 0, 0, size, &[]);
                    prop_assert_eq!(shape(&tree), shape(&sorted));
                }
                None => prop_assert!(!ordered),
            }
            prop_assert!(prebuilt.take(0, entries.len()).is_none());
        }

        /// The sizes dive counts are those of entries whose cleaned key is not empty (or rooted).
        #[test]
        fn an_empty_key_is_a_path_without_names(entry in entry()) {
            prop_assert_eq!(clean(&entry.path).is_empty(), !has_components(&entry.path));
        }

        /// A layer cleaned on two threads is the layer cleaned on one.
        #[test]
        fn split_layers_are_cleaned_as_whole_ones(entries in prop::collection::vec(entry(), 0..40)) {
            let (whole, split) = (LayerTree::raw(&entries), LayerTree::raw_split(&entries));
            prop_assert_eq!(whole.1, split.1);
            prop_assert_eq!(whole.0, split.0);
        }

        /// Sizes that overflow the sums, beside whiteouts that stop a walk (smallest -1).
        #[test]
        fn saturated_sums_are_folded_as_the_tree_walk_folds_them(layers in layers()) {
            let layers: Vec<Vec<FileEntry>> = layers
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|entry| FileEntry {
                            size: if entry.size % 2 == 1 { u64::MAX } else { entry.size },
                            ..entry
                        })
                        .collect()
                })
                .collect();
            let layers: Vec<&[FileEntry]> = layers.iter().map(Vec::as_slice).collect();
            let (new, old) = (waste(&layers), reference::waste(&layers));
            prop_assert_eq!(new.efficiency.to_bits(), old.efficiency.to_bits());
            prop_assert_eq!(new, old);
        }
    }
}

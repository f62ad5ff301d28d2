//! The file entries of a layer tar and the history of an image config: what `layers` reads
//! while it streams each layer (nothing is extracted), and what dive's waste figures are
//! computed from (`calc::waste`).

/// One entry of a layer tar, as its header gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The name as the tar gives it (pax `path` and GNU long names applied, ustar prefix joined).
    pub path: String,
    /// The header's size field (pax `size` applied): file content bytes, 0 for directories and
    /// links as tar writers write them.
    pub size: u64,
    /// A directory, as Go's archive/tar says (type `5`, or a directory mode).
    pub is_dir: bool,
}

/// Sees one layer's tar entries as they are read, in tar order, so that work on them starts
/// before the read ends (`layers` builds each layer's tree this way: `calc::waste::Prebuilt`).
pub trait EntryWatch: Send {
    fn entry(&mut self, entry: &FileEntry);
    /// The layer was read whole; not called when reading it failed.
    fn end(self: Box<Self>);
}

/// Makes the [`EntryWatch`] of each layer of an image read with entries, by the layer's index
/// in the image's manifest.
pub trait LayerWatches: Send + Sync {
    fn watch(&self, layer: usize) -> Box<dyn EntryWatch>;
}

/// One entry of an image config's `history`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryEntry {
    pub created_by: Option<String>,
    /// `empty_layer: true`: the step made no layer (ENV, CMD, …).
    pub empty_layer: bool,
}

//! The progress bar for long image reads: an indicatif bar on stderr, shown only when stderr is a
//! terminal (never in CI logs or pipes), driven by the image readers' [`Progress`] hook.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::image::Progress;

/// A bar over the bytes of the layers being read.
struct LayerBar {
    bar: ProgressBar,
}

impl Progress for LayerBar {
    fn start(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
        self.bar.set_position(0);
        self.bar.reset_elapsed();
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A progress hook for reading layers, or `None` when stderr is not a terminal.
pub fn layer_progress() -> Option<Arc<dyn Progress>> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} reading layers {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(Arc::new(LayerBar { bar }))
}

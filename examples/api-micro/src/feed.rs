//! The live feed of new readings.

use tokio::sync::broadcast;

use crate::Reading;

/// New readings, published after they are committed, to any number of subscribers.
///
/// Held in app state, so a handler reaches it with `State<Feed>`. The SSE endpoint planned in
/// [`stream`](crate::stream) will subscribe here; until then, publishing with no subscriber is a
/// no-op. A subscriber that falls more than the channel's capacity behind gets
/// `RecvError::Lagged` and then the newest readings: the feed never blocks the writers.
#[derive(Debug, Clone)]
pub struct Feed {
    sender: broadcast::Sender<Reading>,
}

impl Feed {
    /// How many readings a slow subscriber may fall behind by default.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// A feed that keeps up to `capacity` readings for slow subscribers.
    ///
    /// # Panics
    /// When `capacity` is 0.
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        Feed { sender }
    }

    /// A receiver of every reading published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Reading> {
        self.sender.subscribe()
    }

    /// How many receivers are listening.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    pub(crate) fn publish(&self, reading: Reading) {
        // `send` fails only when nobody listens, which is fine: the reading is stored anyway.
        let _ = self.sender.send(reading);
    }
}

impl Default for Feed {
    fn default() -> Self {
        Feed::new(Self::DEFAULT_CAPACITY)
    }
}

import Foundation

/// Paces a loop to a fixed period measured from the start rather than from the end of the last
/// round, so `write --every 1s` keeps a steady rhythm however long each round takes. After a
/// long stall (a suspended laptop) it starts a fresh schedule instead of firing a burst of
/// catch-up rounds.
struct Ticker {
    private let period: Duration
    private var start = ContinuousClock.now
    private var ticks = 0

    init(every period: Duration) {
        self.period = period
    }

    /// Blocks the calling thread until the next tick is due.
    mutating func waitForNextTick() {
        ticks += 1
        let remaining = (start + period * ticks) - ContinuousClock.now
        if remaining > .zero {
            Thread.sleep(forTimeInterval: remaining.seconds)
        } else if remaining < .zero - period {
            start = .now
            ticks = 0
        }
    }
}

import Foundation
import Testing
@testable import PodRunKit

/// Collects a supervisor's events and lets a test wait for one with a timeout, instead of
/// sleeping and hoping.
final class EventCollector: Sendable {
    private struct State {
        var records: [EventRecord] = []
        var waiters: [(id: UUID, predicate: @Sendable (EventRecord) -> Bool, continuation: CheckedContinuation<EventRecord?, Never>)] = []
    }

    private let state = Locked(State())

    var handler: @Sendable (EventRecord) -> Void {
        { [self] record in receive(record) }
    }

    var records: [EventRecord] { state.withLock { $0.records } }

    private func receive(_ record: EventRecord) {
        let ready = state.withLock { state -> [CheckedContinuation<EventRecord?, Never>] in
            state.records.append(record)
            let matching = state.waiters.filter { $0.predicate(record) }
            state.waiters.removeAll { waiter in matching.contains { $0.id == waiter.id } }
            return matching.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: record) }
    }

    /// The first event (already seen or still to come) that matches, or nil after `timeout`.
    func wait(
        timeout: Duration = .seconds(30), sourceLocation: Testing.SourceLocation = #_sourceLocation,
        for predicate: @escaping @Sendable (EventRecord) -> Bool
    ) async -> EventRecord? {
        let id = UUID()
        let found: EventRecord? = await withCheckedContinuation { continuation in
            let seen = state.withLock { state -> EventRecord? in
                if let match = state.records.first(where: predicate) { return match }
                state.waiters.append((id, predicate, continuation))
                return nil
            }
            if let seen {
                continuation.resume(returning: seen)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = state.withLock { state -> CheckedContinuation<EventRecord?, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                expired?.resume(returning: nil)
            }
        }
        if found == nil { Issue.record("timed out after \(timeout) waiting for an event", sourceLocation: sourceLocation) }
        return found
    }

    func wait(_ type: String, _ container: String? = nil, timeout: Duration = .seconds(30), sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> EventRecord? {
        await wait(timeout: timeout, sourceLocation: sourceLocation) { $0.event.type == type && (container == nil || $0.event.container == container) }
    }

    /// Compact `container Type` strings, filtered by type, for order assertions.
    func names(_ types: Set<String>) -> [String] {
        records.filter { types.contains($0.event.type) }.map { ($0.event.container.map { "\($0) " } ?? "") + $0.event.type }
    }

    func first(_ type: String, _ container: String? = nil) -> EventRecord? {
        records.first { $0.event.type == type && (container == nil || $0.event.container == container) }
    }
}

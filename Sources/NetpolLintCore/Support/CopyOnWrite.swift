/// A value kept in one heap box that copies share until one of them changes it (copy on write).
///
/// Large model values (an object, a compiled rule, an endpoint) are copied wherever a loop or a verdict takes one:
/// with their fields boxed, a copy retains one reference instead of each of their strings, arrays and dictionaries.
/// Reads borrow the value in place; a change first copies the box when it is shared.
struct CopyOnWrite<Value: Sendable>: @unchecked Sendable {
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// Whether both share one box (then their values are equal without comparing them).
    func isShared(with other: CopyOnWrite) -> Bool { box === other.box }
}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (a: CopyOnWrite, b: CopyOnWrite) -> Bool { a.isShared(with: b) || a.value == b.value }
}

extension CopyOnWrite: Hashable where Value: Hashable {
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

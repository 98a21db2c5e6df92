import Foundation

/// A growable ring buffer: O(1) append and popFirst without `Array.removeFirst`'s shifting.
struct QueueRingBuffer<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        var index = head + count
        if index >= storage.count { index -= storage.count }
        storage[index] = element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head == storage.count { head = 0 }
        count -= 1
        if count == 0 { head = 0 }
        return element
    }

    /// Calls `body` with the elements in order, from the first, until it returns false.
    func forEachInOrder(_ body: (Element) -> Bool) {
        var offset = 0
        while offset < count {
            if let element = storage[(head + offset) % storage.count], !body(element) { return }
            offset += 1
        }
    }

    /// Removes and returns the first element matching `predicate` (O(n); for rare removals).
    mutating func removeFirst(where predicate: (Element) -> Bool) -> Element? {
        var offset = 0
        while offset < count {
            let index = (head + offset) % storage.count
            if let element = storage[index], predicate(element) {
                // Shift the later elements one place towards the head.
                var current = offset
                while current + 1 < count {
                    storage[(head + current) % storage.count] = storage[(head + current + 1) % storage.count]
                    current += 1
                }
                storage[(head + count - 1) % storage.count] = nil
                count -= 1
                if count == 0 { head = 0 }
                return element
            }
            offset += 1
        }
        return nil
    }

    mutating func removeAll() {
        storage = []
        head = 0
        count = 0
    }

    private mutating func grow() {
        let capacity = Swift.max(16, storage.count * 2)
        var grown: [Element?] = []
        grown.reserveCapacity(capacity)
        for offset in 0..<count {
            grown.append(storage[(head + offset) % storage.count])
        }
        grown.append(contentsOf: repeatElement(nil, count: capacity - count))
        storage = grown
        head = 0
    }
}

/// A binary min-heap of delayed adds ordered by due time, then by insertion order.
struct QueueDelayHeap<Key> {
    struct Node {
        var due: Date
        var seq: UInt64
        var key: Key

        func precedes(_ other: Node) -> Bool {
            due < other.due || (due == other.due && seq < other.seq)
        }
    }

    private(set) var nodes: [Node] = []

    var count: Int { nodes.count }
    var min: Node? { nodes.first }

    mutating func push(_ node: Node) {
        nodes.append(node)
        siftUp(nodes.count - 1)
    }

    @discardableResult
    mutating func popMin() -> Node? {
        guard !nodes.isEmpty else { return nil }
        if nodes.count == 1 { return nodes.removeLast() }
        let top = nodes[0]
        nodes[0] = nodes.removeLast()
        siftDown(0)
        return top
    }

    mutating func removeAll() { nodes.removeAll() }

    /// Keeps only the nodes for which `isIncluded` holds, then restores the heap order (O(n)).
    mutating func retain(where isIncluded: (Node) -> Bool) {
        nodes.removeAll { !isIncluded($0) }
        var index = nodes.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let node = nodes[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard node.precedes(nodes[parent]) else { break }
            nodes[child] = nodes[parent]
            child = parent
        }
        nodes[child] = node
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let node = nodes[parent]
        let count = nodes.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && nodes[right].precedes(nodes[left]) ? right : left
            guard nodes[child].precedes(node) else { break }
            nodes[parent] = nodes[child]
            parent = child
        }
        nodes[parent] = node
    }
}

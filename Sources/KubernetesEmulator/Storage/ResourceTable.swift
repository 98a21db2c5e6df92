/// The objects of one resource type, with a sorted-key cache for lists.
struct ResourceTable: Sendable {
    var objects: [ObjectKey: StoredObject] = [:]
    private var sorted: [ObjectKey]?

    mutating func put(_ key: ObjectKey, _ object: StoredObject) {
        if objects.updateValue(object, forKey: key) == nil { sorted = nil }
    }

    mutating func remove(_ key: ObjectKey) {
        if objects.removeValue(forKey: key) != nil { sorted = nil }
    }

    /// Keys in etcd order, restricted to one namespace when given. The cache is
    /// rebuilt only after an insert or delete, so repeated lists do not re-sort.
    mutating func sortedKeys(namespace: String?) -> ArraySlice<ObjectKey> {
        if sorted == nil { sorted = objects.keys.sorted() }
        let all = sorted![...]
        guard let namespace else { return all }
        let lower = all.partitionPoint { $0.namespace < namespace }
        let upper = all[lower...].partitionPoint { $0.namespace <= namespace }
        return all[lower..<upper]
    }
}

extension ClusterStore {
    /// `sortedKeys` mutates the cache, so lists go through this.
    func sortedKeys(_ resource: ResourceID, namespace: String?) -> ArraySlice<ObjectKey> {
        tables[resource]?.sortedKeys(namespace: namespace) ?? []
    }
}

extension Collection {
    /// The first index whose element does not satisfy `belongsInFirstPartition`
    /// (the collection must be partitioned by it).
    func partitionPoint(_ belongsInFirstPartition: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let mid = index(low, offsetBy: half)
            if belongsInFirstPartition(self[mid]) {
                low = index(after: mid)
                count -= half + 1
            } else {
                count = half
            }
        }
        return low
    }
}

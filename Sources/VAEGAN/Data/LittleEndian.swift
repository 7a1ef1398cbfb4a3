// Converting between little-endian file bytes and arrays of numbers (Float, Double, Int64,
// UInt64, …), for the .npy and safetensors readers and writers. On little-endian hosts (x86-64,
// arm64) this is a plain copy; big-endian hosts reverse each element's bytes.

/// Copies between little-endian byte arrays and arrays of fixed-size numbers.
enum LittleEndian {
    /// The numbers stored in `bytes`; `bytes.count` must be a multiple of the element size.
    ///
    /// - Throws: `.outOfMemory` naming `what` when the numbers cannot be allocated (the bytes
    ///   come from a file, whose size the caller does not choose).
    static func decode<Element: BitwiseCopyable>(
        _ bytes: ArraySlice<UInt8>, as _: Element.Type, _ what: @autoclosure () -> String
    ) throws(VAEGANError) -> [Element] {
        let size = MemoryLayout<Element>.size
        precondition(bytes.count % size == 0, "\(bytes.count) bytes is not a whole number of \(Element.self)")
        let count = bytes.count / size
        return try [Element](checkedCount: count, what()) { elements in
            let destination = UnsafeMutableRawBufferPointer(elements)
            bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
            #if _endian(big)
            for index in 0..<count { destination[index * size..<(index + 1) * size].reverse() }
            #endif
        }
    }

    /// The bytes of `elements`, each stored little-endian.
    static func encode<Element: BitwiseCopyable>(_ elements: [Element]) -> [UInt8] {
        let size = MemoryLayout<Element>.size
        return [UInt8](unsafeUninitializedCapacity: elements.count * size) { bytes, initialized in
            let destination = UnsafeMutableRawBufferPointer(bytes)
            elements.withUnsafeBytes { destination.copyMemory(from: $0) }
            #if _endian(big)
            for index in 0..<elements.count { destination[index * size..<(index + 1) * size].reverse() }
            #endif
            initialized = elements.count * size
        }
    }
}

// Tensor: owned, 64-byte aligned Float storage with a shape. Batch-major: the first dimension
// counts examples. Tensors have reference semantics (like arrays in MLX or PyTorch): they are
// buffers that layers and optimizers write into, not values.
import CVAEGAN
import Glibc

/// A block of Floats aligned to 64 bytes (one AVX-512 vector, one cache line), zeroed.
///
/// ```swift
/// let t = Tensor(shape: [128, 784])
/// t.matrix.rows   // 128
/// ```
public final class Tensor {
    /// The size of each dimension; the product is `count`.
    public let shape: [Int]
    /// Number of Floats.
    public let count: Int
    /// The first Float. Valid for the tensor's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates a zeroed tensor. Traps if memory runs out (as Swift's own arrays do).
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        self.shape = shape
        self.count = shape.reduce(1, *)
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("Tensor: could not allocate \(bytes) bytes")
        }
        memset(raw, 0, bytes)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A tensor holding a copy of `values`, which must have `shape`'s element count.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { free(pointer) }

    /// The elements as a buffer, for reading and writing.
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }

    /// A copy of the elements.
    public var values: [Float] { Array(buffer) }

    /// The tensor as a matrix: the first dimension as rows, the rest flattened into columns.
    public var matrix: Matrix {
        let rows = shape.first ?? 1
        return Matrix(pointer, rows: rows, columns: rows == 0 ? 0 : count / rows)
    }

    /// Sets every element to zero.
    public func zero() { vg_fill(pointer, 0, Int64(count)) }

    /// Copies another tensor's elements; the counts must agree.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "Tensor.copy: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }
}

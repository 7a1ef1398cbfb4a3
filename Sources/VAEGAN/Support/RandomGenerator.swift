// RandomGenerator: the C core's xoshiro256** with its state in a Swift value, so a model can
// save it in a checkpoint and a run can be repeated exactly.
import CVAEGAN

/// A seedable generator with explicit state; the same seed gives the same numbers everywhere.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// rng.fillNormal(eps.matrix)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    var state: vg_rng

    public init(seed: UInt64) {
        state = vg_rng()
        vg_rng_seed(&state, seed)
    }

    /// The four 64-bit words of state, for checkpoints.
    public var stateWords: [UInt64] {
        get { [state.s.0, state.s.1, state.s.2, state.s.3] }
        set {
            precondition(newValue.count == 4, "RandomGenerator state has 4 words")
            state.s = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    public mutating func next() -> UInt64 { vg_rng_next(&state) }

    /// Uniform in 0..<bound without modulo bias.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.next(below:) needs a positive bound")
        return Int(vg_rng_below(&state, UInt64(bound)))
    }

    /// Fills with standard normal values.
    public mutating func fillNormal(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        vg_rng_normal_fill(&state, buffer, Int64(count))
    }

    public mutating func fillNormal(_ matrix: Matrix) { fillNormal(matrix.base, count: matrix.count) }

    /// Fills with uniform values in [0, 1).
    public mutating func fillUniform(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        vg_rng_uniform_fill(&state, buffer, Int64(count))
    }

    /// Shuffles in place (Fisher–Yates), allocating nothing.
    public mutating func shuffle(_ indices: UnsafeMutableBufferPointer<Int32>) {
        guard indices.count > 1 else { return }
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            indices.swapAt(i, next(below: i + 1))
        }
    }
}

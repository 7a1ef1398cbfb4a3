// Weight initializations: their ranges and statistics, and the orthogonal one's defining
// property (rows or columns orthonormal, scaled by the gain) through LAPACKE's QR.
import Testing
@testable import VAEGAN

@Suite struct InitializationTests {
    func weights(_ initialization: Initialization, out: Int, in inputs: Int, seed: UInt64 = 5) -> (Tensor, Tensor) {
        var rng = RandomGenerator(seed: seed)
        let w = Tensor(shape: [out, inputs]), b = Tensor(shape: [out])
        #expect(throws: Never.self) { try initialization.apply(weight: w, bias: b, using: &rng) }
        return (w, b)
    }

    @Test func pytorchDefaultIsUniformInPlusMinusOneOverRootFanIn() {
        let (w, b) = weights(.pytorchDefault, out: 64, in: 100)
        let bound: Float = 1 / 10
        #expect(w.values.allSatisfy { abs($0) <= bound } && b.values.allSatisfy { abs($0) <= bound })
        #expect(w.values.max()! > 0.09 && w.values.min()! < -0.09, "spans the range")
    }

    @Test func heNormalHasStandardDeviationRootTwoOverFanIn() {
        let (w, b) = weights(.heNormal, out: 256, in: 128)
        let values = w.values.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        #expect(abs(mean) < 0.005)
        #expect(abs(variance.squareRoot() - (2.0 / 128).squareRoot()) < 0.004)
        #expect(b.values.allSatisfy { $0 == 0 })
    }

    @Test func xavierUniformStaysInItsBound() {
        let (w, _) = weights(.xavierUniform, out: 30, in: 50)
        let bound = (6 / Float(80)).squareRoot()
        #expect(w.values.allSatisfy { abs($0) <= bound })
    }

    /// W Wᵀ = gain²·I when W has fewer rows than columns, Wᵀ W = gain²·I otherwise.
    @Test(arguments: [(8, 20), (20, 8), (12, 12)])
    func orthogonalHasOrthonormalRowsOrColumns(shape: (Int, Int)) {
        let (out, inputs) = shape
        let gain: Float = 1.5
        let (w, b) = weights(.orthogonal(gain: gain), out: out, in: inputs)
        let v = w.values
        let rowsAreOrthonormal = out <= inputs
        let n = rowsAreOrthonormal ? out : inputs, length = rowsAreOrthonormal ? inputs : out
        func element(_ vector: Int, _ k: Int) -> Double {
            Double(rowsAreOrthonormal ? v[vector * inputs + k] : v[k * inputs + vector])
        }
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let dot = (0..<length).reduce(0.0) { $0 + element(i, $1) * element(j, $1) }
                let expected = i == j ? Double(gain * gain) : 0
                worst = max(worst, abs(dot - expected))
            }
        }
        print("orthogonal \(out)×\(inputs): max |W·Wᵀ − gain²·I| = \(worst)")
        #expect(worst < 1e-5)
        #expect(b.values.allSatisfy { $0 == 0 })
    }

    @Test func theSameSeedGivesTheSameWeights() {
        for initialization in [Initialization.pytorchDefault, .heNormal, .xavierUniform, .orthogonal(gain: 1)] {
            #expect(weights(initialization, out: 9, in: 7, seed: 3).0.values
                    == weights(initialization, out: 9, in: 7, seed: 3).0.values)
            #expect(weights(initialization, out: 9, in: 7, seed: 3).0.values
                    != weights(initialization, out: 9, in: 7, seed: 4).0.values)
        }
    }
}

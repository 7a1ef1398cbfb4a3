// RandomGeneratorTests: the Swift RandomGenerator is reproducible per seed, its state round
// trips through stateWords, and its shuffle permutes.
import Testing
@testable import VAEGAN

@Suite struct RandomGeneratorTests {
    private func draws(_ rng: inout RandomGenerator, _ count: Int = 64) -> [UInt64] {
        (0..<count).map { _ in rng.next() }
    }

    private func normals(_ rng: inout RandomGenerator, _ count: Int = 33) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: count) }
        return values
    }

    @Test("The same seed gives the same stream")
    func sameSeed() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect(draws(&a) == draws(&b))
        #expect(normals(&a) == normals(&b))
        #expect((0..<20).map { _ in a.next(below: 10) } == (0..<20).map { _ in b.next(below: 10) })
    }

    @Test("Different seeds give different streams")
    func differentSeeds() {
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2), zero = RandomGenerator(seed: 0)
        let x = draws(&a), y = draws(&b), z = draws(&zero)
        #expect(x != y && x != z && y != z)
        #expect(zip(x, y).filter { $0 == $1 }.isEmpty) // not merely shifted copies of one another
        #expect(Set(z).count == z.count)               // seed 0 is not degenerate
    }

    @Test("stateWords round trip resumes the same stream")
    func stateRoundTrip() {
        var original = RandomGenerator(seed: 7)
        _ = draws(&original, 10)
        _ = normals(&original, 5)
        let words = original.stateWords
        #expect(words.count == 4)
        var resumed = RandomGenerator(seed: 999)
        resumed.stateWords = words
        #expect(resumed.stateWords == words)
        #expect(draws(&original) == draws(&resumed))
        #expect(normals(&original) == normals(&resumed))
    }

    @Test("Values are in range: uniform in [0, 1), next(below:) under its bound")
    func ranges() {
        var rng = RandomGenerator(seed: 3)
        var values = [Float](repeating: -1, count: 1000)
        values.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count) }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let below = (0..<1000).map { _ in rng.next(below: 7) }
        #expect(below.allSatisfy { (0..<7).contains($0) })
        #expect(Set(below).count == 7)
    }

    private func shuffled(seed: UInt64, count: Int = 50) -> [Int32] {
        var rng = RandomGenerator(seed: seed)
        var indices = (0..<Int32(count)).map { $0 }
        indices.withUnsafeMutableBufferPointer { rng.shuffle($0) }
        return indices
    }

    @Test("shuffle is a permutation, fixed by the seed")
    func shuffle() {
        let a = shuffled(seed: 5)
        #expect(a.sorted() == Array(0..<50))
        #expect(a != Array(0..<50))
        #expect(shuffled(seed: 5) == a)
        #expect(shuffled(seed: 6) != a)
        #expect(shuffled(seed: 6).sorted() == Array(0..<50))
        #expect(shuffled(seed: 5, count: 1) == [0])
        #expect(shuffled(seed: 5, count: 0) == [])
    }
}

// DistributedSampleQualityTests: the sample scores of a data-parallel run, split across ranks
// and combined, against one process's. The ranks are threads of this process joined by an
// in-process Communicator (blocking sums need every rank running at once, so each rank is its
// own Thread, not a loop iteration); each holds its own model, classifier and evaluator, as
// MPI ranks do. Tests/MPI/run.sh runs the same path under mpirun.
import Foundation
import Testing
@testable import VAEGAN

/// The meeting point of `size` in-process ranks: a blocking sum in which every rank's values
/// are added in rank order (in double: exact for the one nonzero term per value the gathers
/// add, and within rounding otherwise).
final class InProcessRanks: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var contributions: [[Double]]
    private var result: [Double] = []
    private var arrived = 0, round = 0

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: [], count: size)
    }

    /// Rank `rank`'s communicator.
    func communicator(rank: Int) -> any Communicator { RankCommunicator(group: self, rank: rank) }

    /// Waits for every rank's `values` and returns their sum. A rank of the next round cannot
    /// overwrite `result` before all have read it: that round needs every rank to arrive.
    func sum(_ values: [Double], rank: Int) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        contributions[rank] = values
        arrived += 1
        if arrived == size {
            result = contributions.dropFirst().reduce(contributions[0]) { sum, next in
                precondition(next.count == sum.count, "InProcessRanks: sums of \(sum.count) and \(next.count) values")
                return zip(sum, next).map { $0 + $1 }
            }
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return result
    }

    private final class RankCommunicator: Communicator {
        let group: InProcessRanks
        let rank: Int
        var size: Int { group.size }
        var localSize: Int { group.size }

        init(group: InProcessRanks, rank: Int) {
            self.group = group
            self.rank = rank
        }

        func sum(_ values: UnsafeMutablePointer<Float>, count: Int) {
            let total = group.sum(UnsafeBufferPointer(start: values, count: count).map(Double.init), rank: rank)
            for i in 0..<count { values[i] = Float(total[i]) }
        }

        func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {
            let total = group.sum(Array(UnsafeBufferPointer(start: values, count: count)), rank: rank)
            values.update(from: total, count: count)
        }

        // Evaluation sums only with blocking calls; training's buckets are Tests/MPI's.
        func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) -> Int { fatalError("not used here") }
        func test(_ handle: Int) -> Bool { fatalError("not used here") }
        func wait(_ handle: Int) { fatalError("not used here") }
        func abort(code: Int32) -> Never { fatalError("rank \(rank) aborted with \(code)") }
        func finish() {}
    }
}

/// What the ranks' threads hand back, under a lock.
private final class RankResults<Result>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: Result] = [:]
    var errors: [String] = []
}

/// Runs `body` for each of `size` ranks, each on its own thread, and returns the results by rank.
func runRanks<Result: Sendable>(_ size: Int, _ body: @escaping @Sendable (any Communicator) throws -> Result) throws -> [Result] {
    let group = InProcessRanks(size: size), results = RankResults<Result>(), done = DispatchGroup()
    for rank in 0..<size {
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            do {
                let value = try body(group.communicator(rank: rank))
                results.lock.withLock { results.values[rank] = value }
            } catch {
                results.lock.withLock { results.errors.append("rank \(rank): \(error)") }
            }
        }
        thread.start()
    }
    done.wait()
    try #require(results.errors.isEmpty, Comment(rawValue: results.errors.joined(separator: "; ")))
    return (0..<size).map { results.values[$0]! }
}

@Suite struct DistributedSampleQualityTests {
    @Test("spread: the ranks' zero-padded rows summed are the whole matrix, bit for bit, empty shares included")
    func spreadRowsSumToTheWhole() throws {
        let width = 5
        for (ranks, rows) in [(1, 7), (2, 7), (3, 61), (4, 3)] {
            let whole = Tensor.normal([rows, width], seed: UInt64(ranks), scale: 3, offset: 0.5).values
            var sum = [Float](repeating: 0, count: rows * width)
            for rank in 0..<ranks {
                let shard = BatchShard(index: rank, count: ranks), range = shard.range(ofRows: rows)
                let spread = try shard.spread(Array(whole[range.lowerBound * width ..< range.upperBound * width]),
                                              width: width, totalRows: rows)
                #expect(spread.count == rows * width)
                for i in 0..<sum.count { sum[i] += spread.buffer[i] }
            }
            let equal = sum == whole
            #expect(equal, "\(ranks) ranks of \(rows) rows: max difference \(zip(sum, whole).map { abs($0 - $1) }.max()!)")
        }
        // A share of the wrong size is refused, not read past its end.
        guard case .invalidArgument = thrownError({ _ = try BatchShard(index: 1, count: 2).spread([1, 2], width: 5, totalRows: 7) }) else {
            Issue.record("a share of the wrong size must be an invalid argument"); return
        }
    }

    @Test("the in-process ranks' sum adds every rank's values")
    func inProcessSum() throws {
        let sums = try runRanks(3) { communicator in
            var values = [Double(communicator.rank + 1), 10]
            values.withUnsafeMutableBufferPointer { communicator.sum($0.baseAddress!, count: 2) }
            return values
        }
        #expect(sums == Array(repeating: [6, 30], count: 3))
    }

    /// The folder of a small band-image domain classifier, trained once for this suite.
    private static let classifierFolder: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-ranks-\(UUID())").path
        _ = try! DomainClassifier.load(for: .fashionMNIST, train: bandImages(count: 300, seed: 11), test: bandImages(count: 150, seed: 12),
                                       cacheDirectory: folder, configuration: smallClassifierConfiguration())
        return folder
    }()

    /// One rank's (or the single process's) scorer: its own classifier (read from the cache, so
    /// the same weights everywhere), evaluator and β-VAE (the same seed everywhere).
    private static func scorer(communicator: (any Communicator)?, samples: Int) throws -> SampleQualityScorer {
        let test = bandImages(count: 150, seed: 12)
        let domain = try DomainClassifier.load(for: .fashionMNIST, train: test, test: test, cacheDirectory: classifierFolder,
                                               configuration: smallClassifierConfiguration())
        // A capacity that splits neither the whole set nor a share evenly into chunks.
        let vae = try VAE(.small(inputWidth: 36, hidden: 16, latent: 2), batchCapacity: 16, seed: 3)
        var options = TrainingOptions(epochs: 1, outputDirectory: "")
        options.sampleQualityEvery = 1
        options.sampleQualityCount = samples
        return SampleQualityScorer(evaluator: try SampleQualityEvaluator(domain: domain, test: test),
                                   model: TrainedModel(vae), options: options, communicator: communicator)
    }

    @Test("FID, precision, recall and classes covered: 2 and 3 ranks give one process's figures")
    func ranksScoreAsOneProcess() throws {
        let samples = 61
        let single = try Self.scorer(communicator: nil, samples: samples).figures(afterEpoch: 1)
        let fid = try #require(single.first { $0.name == "fid" }?.value)
        #expect(fid.isFinite && fid > 0)
        for ranks in [2, 3] {
            let figures = try runRanks(ranks) { communicator in
                try Self.scorer(communicator: communicator, samples: samples).figures(afterEpoch: 1).map { [$0.name: $0.value] }
            }
            for (rank, rankFigures) in figures.enumerated() {
                #expect(rankFigures.count == single.count)
                for (expected, got) in zip(single, rankFigures) {
                    let (name, value) = try #require(got.first)
                    #expect(name == expected.name)
                    // Each sample's features are computed alone (rows are independent in the
                    // MLPs), and the gather is exact, so the figures agree to rounding.
                    #expect(isClose(value, expected.value, relative: 1e-9),
                            "\(ranks) ranks, rank \(rank): \(name) \(value), one process \(expected.value)")
                }
            }
        }
    }
}

// ThreadPoolTests: VAEGAN's own thread pool (pool.c) and the GEMM on it: every task runs exactly
// once, many small jobs in a row, a pool of one, two threads each with its own pool and two
// threads sharing one, and GEMM results that are bitwise the same for every thread count.
import CVAEGAN
import Foundation
import Testing

/// Counts, per task, how often it ran: the context of `countTask`.
private final class TaskCounts: @unchecked Sendable {
    let counts: UnsafeMutablePointer<Int64>
    let workers: UnsafeMutablePointer<Int64>
    let size: Int
    init(size: Int) {
        self.size = size
        counts = .allocate(capacity: size)
        counts.initialize(repeating: 0, count: size)
        workers = .allocate(capacity: size)
        workers.initialize(repeating: -1, count: size)
    }
    deinit {
        counts.deallocate()
        workers.deallocate()
    }
}

/// Each task adds one to its own slot (slots are disjoint, so no atomics are needed: a task run
/// twice shows as 2, one never run as 0) and records the worker that ran it.
private let countTask: vg_task_fn = { context, task, worker, _ in
    let counts = Unmanaged<TaskCounts>.fromOpaque(context!).takeUnretainedValue()
    counts.counts[Int(task)] += 1
    counts.workers[Int(task)] = Int64(worker)
}

private func makePool(threads: Int) throws -> OpaquePointer {
    var pool: OpaquePointer?
    let status = vg_pool_create(&pool, Int32(threads), vg_gemm_scratch_floats())
    try #require(status == VG_OK, "\(String(cString: vg_last_error_message()))")
    return try #require(pool)
}

/// C = A·Bᵀ (M×K times (N×K)ᵀ) on `pool`, from fixed random operands.
private func product(on pool: OpaquePointer?, m: Int, n: Int, k: Int, transA: Bool = false,
                     transB: Bool = true, seed: UInt64 = 7) -> [Float] {
    var random = KernelRandom(seed: seed)
    let a = random.uniform(m * k, -1, 1), b = random.uniform(n * k, -1, 1)
    var c = [Float](repeating: .nan, count: m * n)
    let status = vg_gemm_with_pool(pool, transA, transB, Int64(m), Int64(n), Int64(k), 1, a,
                                   Int64(transA ? m : k), b, Int64(transB ? k : n), 0, &c, Int64(n))
    #expect(status == VG_OK)
    return c
}

@Suite struct ThreadPoolTests {
    @Test("Every task of every job runs exactly once, on a worker index below the thread count",
          arguments: [1, 2, 3, 4])
    func everyTaskOnce(threads: Int) throws {
        let pool = try makePool(threads: threads)
        defer { vg_pool_free(pool) }
        #expect(vg_pool_thread_count(pool) == Int32(threads))
        for tasks in [1, 2, 3, 7, 64, 1000] {
            let counts = TaskCounts(size: tasks)
            let context = Unmanaged.passUnretained(counts).toOpaque()
            #expect(vg_pool_run(pool, Int64(tasks), countTask, context, false) == VG_OK)
            let ranOnce = (0..<tasks).allSatisfy { counts.counts[$0] == 1 }
            #expect(ranOnce, "\(threads) threads, \(tasks) tasks: counts \((0..<min(tasks, 16)).map { counts.counts[$0] })")
            #expect((0..<tasks).allSatisfy { (0..<Int64(threads)).contains(counts.workers[$0]) })
        }
        // Zero tasks is a no-op.
        #expect(vg_pool_run(pool, 0, countTask, nil, false) == VG_OK)
    }

    @Test("Five thousand small jobs in a row, each dispatched to the workers, all complete")
    func manySmallJobs() throws {
        let pool = try makePool(threads: 2)
        defer { vg_pool_free(pool) }
        let counts = TaskCounts(size: 4)
        let context = Unmanaged.passUnretained(counts).toOpaque()
        for _ in 0..<5000 {
            #expect(vg_pool_run(pool, 4, countTask, context, false) == VG_OK)
        }
        #expect((0..<4).allSatisfy { counts.counts[$0] == 5000 })
        // And small GEMMs just above the size that goes to the pool (64³ multiply-adds).
        let first = product(on: pool, m: 64, n: 64, k: 64)
        for _ in 0..<500 {
            #expect(product(on: pool, m: 64, n: 64, k: 64) == first)
        }
    }

    @Test("A GEMM's result is bitwise the same on 1, 2, 3 and 4 threads and on the calling thread alone",
          arguments: [(128, 512, 784, false, true), (512, 784, 128, true, false), (128, 784, 512, false, false),
                      (1000, 33, 17, false, true), (7, 1000, 129, false, false),
                      // narrow C: one column panel, so the rows are split between threads
                      (64, 16, 4096, false, false), (128, 1, 6272, false, true)])
    func gemmIsDeterministicAcrossThreadCounts(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) throws {
        let alone = product(on: nil, m: m, n: n, k: k, transA: transA, transB: transB)
        #expect(alone.allSatisfy { $0.isFinite })
        for threads in 1...4 {
            let pool = try makePool(threads: threads)
            defer { vg_pool_free(pool) }
            let result = product(on: pool, m: m, n: n, k: k, transA: transA, transB: transB)
            #expect(KernelCheck.firstBitMismatch(result, alone) == nil, "\(threads) threads differ from one")
        }
    }

    /// Runs 40 products on each of `pools` (one task per entry, all at once) and counts the
    /// results that differ from the calling thread's own.
    private func concurrentMismatches(on pools: [OpaquePointer], seed: UInt64) async -> Int {
        let expected = product(on: nil, m: 128, n: 256, k: 512, seed: seed)
        let addresses = pools.map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0))) }
        return await withTaskGroup(of: Int.self) { group in
            for address in addresses {
                group.addTask {
                    let pool = OpaquePointer(bitPattern: address)
                    var wrong = 0
                    for _ in 0..<40 where product(on: pool, m: 128, n: 256, k: 512, seed: seed) != expected { wrong += 1 }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
    }

    @Test("Two threads, each with its own pool, at the same time: both results right")
    func twoThreadsTwoPools() async throws {
        let pools = [try makePool(threads: 2), try makePool(threads: 2)]
        defer { pools.forEach { vg_pool_free($0) } }
        #expect(await concurrentMismatches(on: pools, seed: 11) == 0)
    }

    @Test("Two threads sharing one pool: one runs on it, the other on itself; neither waits or errs")
    func twoThreadsOnePool() async throws {
        let pool = try makePool(threads: 2)
        defer { vg_pool_free(pool) }
        #expect(await concurrentMismatches(on: [pool, pool], seed: 12) == 0)
    }

    @Test("Pool sizes outside 1 ... VG_MAX_THREADS are refused with a message")
    func badPoolSizes() {
        for threads: Int32 in [0, -1, Int32(VG_MAX_THREADS) + 1] {
            vg_error_clear()
            var pool: OpaquePointer?
            #expect(vg_pool_create(&pool, threads, 0) == VG_ERROR_INVALID_ARGUMENT)
            #expect(pool == nil)
            #expect(String(cString: vg_last_error_message()).contains("pool: \(threads) threads"))
        }
        vg_pool_free(nil)  // a no-op
    }
}

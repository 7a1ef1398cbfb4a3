// AllocationTests: a steady-state training step of the reference VAE makes no heap allocation
// (STYLE.md §4), on one thread and on two. CAllocationCounter interposes malloc and friends and
// counts the calling thread's calls between start and stop; each test runs synchronously on one
// thread, so the count is the step's own, whatever other tests do meanwhile. The pool's workers
// allocate nothing per job by construction (their scratch is allocated with the pool, the job
// lives on the caller's stack); the count covers the calling thread, which is also worker 0.
//
// The suite is serialized because its tests change the process-wide thread count.
import CAllocationCounter
import CVAEGAN
import Testing
@testable import VAEGAN

@Suite(.serialized) struct AllocationTests {
    @Test("The counter counts: an Array of 1000 Ints inside the window is seen")
    func counterCounts() {
        allocation_counter_start()
        let array = [Int](repeating: 7, count: 1000)
        let count = allocation_counter_stop()
        #expect(array.count == 1000)
        #expect(count >= 1)
        allocation_counter_start()
        let nothing = allocation_counter_stop()
        #expect(nothing == 0)
    }

    /// Allocations over `steps` training steps of the reference VAE (784-512-256-32, batch 128,
    /// Bernoulli, Adam), after two warm-up steps.
    private func countStepAllocations(steps: Int = 5) throws -> Int64 {
        let vae = try VAE(VAEConfiguration(), batchCapacity: 128, seed: 0)
        let adam = try Adam(parameters: vae.parameters, learningRate: 1e-3)
        let batch = Tensor.uniform([128, 784], seed: 1)
        let x = batch.matrix
        let parameters = vae.parameters
        var lastLoss = 0.0
        func step() {
            parameters.zeroGradients()
            lastLoss = vae.accumulateGradients(on: x, beta: 1).loss
            adam.step()
        }
        // Other suites share the pool; when it is busy, this thread runs its GEMMs itself, with
        // a scratch buffer of its own, allocated on first need: reserve it before counting.
        #expect(vg_thread_scratch_reserve() == VG_OK)
        step()
        step()
        allocation_counter_start()
        for _ in 0..<steps { step() }
        let count = allocation_counter_stop()
        #expect(lastLoss.isFinite)
        print("allocations per step: \(Double(count) / Double(steps)) (\(count) over \(steps) steps, "
              + "\(Threads.count) thread\(Threads.count == 1 ? "" : "s"))")
        return count
    }

    @Test("A steady-state VAE training step allocates nothing, on one thread and on two", arguments: [1, 2])
    func trainingStepAllocatesNothing(threads: Int) throws {
        let previous = Threads.count
        try Threads.set(threads)
        defer { try? Threads.set(previous) }
        let count = try countStepAllocations()
        #expect(count == 0)
    }
}

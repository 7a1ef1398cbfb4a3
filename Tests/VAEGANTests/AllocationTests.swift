// AllocationTests: a steady-state training step of each reference model (β-VAE, GAN, VAE-GAN)
// makes no heap allocation (STYLE.md §4), on one thread and on two, taken at the model level and
// through its training adapter. CAllocationCounter interposes malloc and friends and
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

    /// The reference models' steps as their training adapters take them (zero the gradients,
    /// accumulate, step the optimizers), at batch 128 on one fixed batch. Each closure keeps
    /// its batch alive and reads it through a `Matrix` made outside: in debug builds even
    /// `Tensor.matrix` allocates (its unspecialized `shape.first`).
    static func modelStep(_ kind: String) throws -> () -> Double {
        switch kind {
        case "vae": // 784-512-256-32, Bernoulli, Adam
            let vae = try VAE(VAEConfiguration(), batchCapacity: 128, seed: 0)
            let adam = try Adam(store: vae.store, learningRate: 1e-3)
            let batch = Tensor.uniform([128, vae.inputWidth], seed: 1), x = batch.matrix
            return {
                _ = batch
                vae.store.zeroGradients()
                let loss = vae.accumulateGradients(on: x, beta: 1).loss
                adam.step()
                return loss
            }
        case "gan": // G 64-256-512-784, D 784-512-256-1, one D and one G step
            let gan = try GAN(GANConfiguration(), batchCapacity: 128, seed: 0)
            let schedule = try AlternatingOptimizer(
                gan: gan,
                discriminatorOptimizer: try Adam(store: gan.discriminatorStore, learningRate: 2e-4, beta1: 0.5),
                generatorOptimizer: try Adam(store: gan.generatorStore, learningRate: 2e-4, beta1: 0.5))
            let batch = Tensor.uniform([128, gan.dataWidth], seed: 1), x = batch.matrix
            return { _ = batch; return schedule.step(real: x).generator?.loss ?? .nan }
        default: // encoder, decoder and D with three Adams and the gate
            let model = try VAEGAN(VAEGANConfiguration(), batchCapacity: 128, seed: 0)
            let encoder = try Adam(store: model.encoderStore, learningRate: 3e-4, beta1: 0.5)
            let decoder = try Adam(store: model.decoderStore, learningRate: 3e-4, beta1: 0.5)
            let discriminator = try Adam(store: model.discriminatorStore, learningRate: 3e-4, beta1: 0.5)
            let batch = Tensor.uniform([128, model.inputWidth], seed: 1), x = batch.matrix
            return {
                _ = batch
                model.encoderStore.zeroGradients()
                model.decoderStore.zeroGradients()
                model.discriminatorStore.zeroGradients()
                let step = model.accumulateGradients(on: x)
                encoder.step()
                if step.updatedDecoder { decoder.step() }
                if step.updatedDiscriminator { discriminator.step() }
                return step.prior + step.llike
            }
        }
    }

    /// The same steps through each kind's `Trainable` adapter, as the training loop takes them.
    static func adapterStep(_ kind: String) throws -> () -> Double {
        let trainer: any Trainable = switch kind {
        case "vae": try VAETraining(vae: VAE(VAEConfiguration(), batchCapacity: 128, seed: 0), stepsPerEpoch: 1000)
        case "gan": try GANTraining(gan: GAN(GANConfiguration(), batchCapacity: 128, seed: 0))
        default: try VAEGANTraining(model: VAEGAN(VAEGANConfiguration(), batchCapacity: 128, seed: 0))
        }
        let batch = Tensor.uniform([128, trainer.inputWidth], seed: 1), x = batch.matrix
        trainer.startEpoch(1)
        return { _ = batch; return (try? trainer.trainStep(on: x)) ?? .nan }
    }

    /// Allocations over `steps` calls of `step` after two warm-up calls, on `threads` threads.
    private func countAllocations(_ label: String, threads: Int, steps: Int = 5,
                                  _ makeStep: () throws -> () -> Double) throws -> Int64 {
        let previous = Threads.count
        try Threads.set(threads)
        defer { try? Threads.set(previous) }
        let step = try makeStep()
        // Other suites share the pool; when it is busy, this thread runs its GEMMs itself, with
        // a scratch buffer of its own, allocated on first need: reserve it before counting.
        #expect(vg_thread_scratch_reserve() == VG_OK)
        _ = step()
        _ = step()
        var lastLoss = 0.0
        allocation_counter_start()
        for _ in 0..<steps { lastLoss = step() }
        let count = allocation_counter_stop()
        #expect(lastLoss.isFinite)
        print("\(label): allocations per step: \(Double(count) / Double(steps)) (\(count) over \(steps) steps, "
              + "\(threads) thread\(threads == 1 ? "" : "s"))")
        return count
    }

    @Test("A steady-state training step allocates nothing, for each model on one thread and on two",
          arguments: ["vae", "gan", "vaegan"], [1, 2])
    func trainingStepAllocatesNothing(kind: String, threads: Int) throws {
        let count = try countAllocations(kind, threads: threads) { try Self.modelStep(kind) }
        #expect(count == 0, "\(kind) on \(threads) thread(s): \(count) allocations in 5 steps")
    }

    @Test("The training adapters' trainStep allocates nothing either", arguments: ["vae", "gan", "vaegan"], [1, 2])
    func adapterStepAllocatesNothing(kind: String, threads: Int) throws {
        let count = try countAllocations("\(kind) adapter", threads: threads) { try Self.adapterStep(kind) }
        #expect(count == 0, "\(kind)'s trainStep on \(threads) thread(s): \(count) allocations in 5 steps")
    }
}

// CModel: what a vg_model handle points at. A kind's training adapter (model, optimizers,
// schedule), the generator that shuffles training rows, the epoch count and the figures of the
// last training call, plus one workspace for inference in batch-sized chunks. Which kind it is
// matters only to the adapter: everything here goes through GenerativeTraining.
//
// C never sees this type: it holds an opaque pointer to a retained CModel (see CRegistry.swift).
import CVAEGAN
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

final class CModel {
    /// The model with its optimizers, as the training loop drives it.
    let training: any GenerativeTraining
    /// Shuffles the rows of each epoch; saved in checkpoints as "loader_rng" (as `vaegan train` does).
    var loaderRNG: RandomGenerator
    /// Epochs completed by vg_model_train (and by the run a checkpoint came from).
    var epoch: Int
    /// The figures of the last training call; nil until this handle trains.
    var lastMetrics: vg_metrics?
    /// (batchCapacity, max(input, latent)) floats: one chunk of a caller's rows at a time.
    let workspace: Tensor
    /// Set by vg_model_request_stop, from any thread; consumed by the training call it stops.
    let stopRequested = Atomic<Bool>(false)
    /// vg_model_set_progress_callback's function and context.
    var progress: (callback: vg_progress_callback, context: UnsafeMutableRawPointer?)?
    /// The model's named tensors with their names as C strings (vg_model_tensor_info hands
    /// those out; they live as long as the handle).
    let tensors: [(name: String, cName: UnsafeMutablePointer<CChar>, value: Tensor)]

    init(_ training: any GenerativeTraining, position: TrainingPosition) throws(VAEGANError) {
        self.training = training
        loaderRNG = position.loaderRNG
        epoch = position.epoch
        let model = training.generativeModel
        workspace = try .zeros([model.batchCapacity, max(model.inputWidth, model.latentWidth)])
        tensors = model.namedTensors.map { ($0.name, strdup($0.name)!, $0.value) }
    }

    deinit { for tensor in tensors { free(tensor.cName) } }

    var kind: vg_model_kind { type(of: training).cKind }
    var kindName: String { type(of: training).displayName }
    var model: any GenerativeModel { training.generativeModel }
    var inputWidth: Int { model.inputWidth }
    var latentWidth: Int { model.latentWidth }
    var batchCapacity: Int { model.batchCapacity }

    /// The encoder–decoder pair of a kind that has an encoder; `.wrongModel` otherwise.
    func autoencoder() throws(VAEGANError) -> any Autoencoding {
        guard let autoencoder = model as? any Autoencoding else {
            let withEncoder = ModelRegistry.kinds.filter { $0.hasEncoder }.map { $0.displayName }
            throw .wrongModel("a \(kindName) has no encoder; this needs a \(withEncoder.joined(separator: " or ")) handle")
        }
        return autoencoder
    }

    /// The handle's state as a checkpoint: the adapter's, plus the training position.
    func checkpoint() -> SafeTensorsFile {
        var file = training.checkpoint()
        TrainingPosition(epoch: epoch, loaderRNG: loaderRNG).store(into: &file)
        return file
    }
}

extension GenerativeTraining {
    /// Whether this kind's model has an encoder (Autoencoding).
    static var hasEncoder: Bool { Model.self is any Autoencoding.Type }
}

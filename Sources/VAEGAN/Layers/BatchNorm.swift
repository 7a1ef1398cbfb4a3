// BatchNorm: batch normalization over channels, as PyTorch's BatchNorm1d (after a dense layer:
// one channel per feature) and BatchNorm2d (after a convolution: one channel per feature map).
// The arithmetic is the C core's (batchnorm.c).
import CVAEGAN

/// Batch normalization with γ ("weight", starts at 1) and β ("bias", starts at 0), and running
/// statistics ("running_mean", "running_var": the store's non-trainable state, saved in
/// checkpoints; "num_batches_tracked", a counter of this layer) that are state, not parameters: updated by each training-mode forward (momentum 0.1 and ε 1e-5 by default,
/// PyTorch's) and used in evaluation mode.
///
/// ```swift
/// let norm = try BatchNorm(name: "discriminator.3", channels: 128, spatial: 7 * 7, batchCapacity: 128,
///                          parameters: layout)
/// norm.isTraining = false      // sampling and evaluation: running statistics
/// ```
public final class BatchNorm: Layer {
    public let channels: Int
    /// Values per channel in one example: H·W after a convolution, 1 after a dense layer.
    public let spatial: Int
    public let momentum: Float
    public let epsilon: Float
    public let batchCapacity: Int
    public let weight: Parameter
    public let bias: Parameter
    public let parameters: [Parameter]
    /// The running statistics, (channels) each: views into the store's state buffer.
    public var runningMean: Tensor { runningMeanState.value }
    public var runningVariance: Tensor { runningVarianceState.value }
    private let runningMeanState: StateTensor, runningVarianceState: StateTensor
    /// PyTorch's num_batches_tracked, as state beside the statistics (a Float: exact to 2²⁴
    /// batches; PyTorch's int64 reads it back with load_state_dict's copy).
    private let batchesTrackedState: StateTensor
    /// Training-mode forwards so far (PyTorch's num_batches_tracked).
    public var batchesTracked: Int64 { Int64(batchesTrackedState.value.pointer[0]) }
    /// Training mode normalizes with the batch's statistics and updates the running ones;
    /// evaluation mode uses the running ones.
    public var isTraining = true
    /// Whether a training-mode forward moves the running statistics. Off for the player that
    /// does not train in a GAN step: it still normalizes with the batch's statistics (as in
    /// training), but its state stays bitwise as it was.
    public var updatesRunningStatistics = true
    /// While re-estimating: training-mode forwards so far, whose plain average the running
    /// statistics become (PyTorch's momentum=None); nil otherwise.
    private var reestimatedBatches: Int?
    public var inputWidth: Int { channels * spatial }
    public var outputWidth: Int { channels * spatial }
    /// [channels] after a dense layer, [channels, height, width] after a convolution.
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }

    private let savedMean: Tensor     // μ of the last training forward, (channels)
    private let savedRstd: Tensor     // 1/sqrt(σ² + ε), (channels): the backward needs both
    private let output: Tensor
    private let inputGradient: Tensor
    private var lastInput: Matrix?
    private var lastForwardTrained = false

    /// Declares γ, β and the running statistics in `layout` (γ = 1, β = 0, mean 0, variance 1
    /// once the store exists) and allocates the layer's buffers.
    ///
    /// - Throws: `.outOfMemory` when a buffer cannot be allocated.
    /// `shape`, if given, is one example's shape ([channels] or [channels, height, width], its
    /// spatial part `spatial` values); otherwise [channels] or [channels, spatial].
    public init(name: String, channels: Int, spatial: Int = 1, shape: [Int]? = nil, momentum: Float = 0.1,
                epsilon: Float = 1e-5, batchCapacity: Int, parameters layout: ParameterStore.Layout)
        throws(VAEGANError)
    {
        precondition(channels > 0 && spatial > 0 && batchCapacity > 0, "BatchNorm \(name): sizes must be positive")
        precondition(epsilon > 0 && momentum >= 0 && momentum <= 1, "BatchNorm \(name): ε > 0 and momentum in [0, 1]")
        precondition(shape == nil || (shape!.first == channels && shape!.dropFirst().reduce(1, *) == spatial),
                     "BatchNorm \(name): shape \(shape!) is not \(channels) channels of \(spatial)")
        self.channels = channels
        self.spatial = spatial
        inputShape = shape ?? (spatial == 1 ? [channels] : [channels, spatial])
        self.momentum = momentum
        self.epsilon = epsilon
        self.batchCapacity = batchCapacity
        let weight = layout.parameter("\(name).weight", shape: [channels])
        bias = layout.parameter("\(name).bias", shape: [channels])
        self.weight = weight
        parameters = [weight, bias]
        runningMeanState = layout.state("\(name).running_mean", shape: [channels])
        let variance = layout.state("\(name).running_var", shape: [channels])
        runningVarianceState = variance
        batchesTrackedState = layout.state("\(name).num_batches_tracked", shape: [1])
        layout.initialize { _ in
            vg_fill(weight.value.pointer, 1, Int64(channels))
            vg_fill(variance.value.pointer, 1, Int64(channels))
        }
        savedMean = try .zeros([channels])
        savedRstd = try .zeros([channels])
        output = try .zeros([batchCapacity, channels * spatial])
        inputGradient = try .zeros([batchCapacity, channels * spatial])
    }

    /// `other`'s γ, β and running statistics (so every pass's training forward updates the
    /// same statistics, as calling one PyTorch module twice does), with buffers of its own and
    /// its mode, and the batch count they share.
    private init(sharing other: BatchNorm) throws(VAEGANError) {
        (channels, spatial, momentum, epsilon) = (other.channels, other.spatial, other.momentum, other.epsilon)
        inputShape = other.inputShape
        batchCapacity = other.batchCapacity
        (weight, bias, parameters) = (other.weight, other.bias, other.parameters)
        (runningMeanState, runningVarianceState) = (other.runningMeanState, other.runningVarianceState)
        batchesTrackedState = other.batchesTrackedState
        isTraining = other.isTraining
        savedMean = try .zeros([channels])
        savedRstd = try .zeros([channels])
        output = try .zeros([batchCapacity, channels * spatial])
        inputGradient = try .zeros([batchCapacity, channels * spatial])
    }

    public func sharingParameters() throws(VAEGANError) -> BatchNorm { try BatchNorm(sharing: self) }

    /// Forgets the running statistics; the training-mode forwards until
    /// `finishReestimatingStatistics()` set them to the plain average of their batches'
    /// statistics (what torch.optim.swa_utils.update_bn does for averaged weights).
    func startReestimatingStatistics() {
        runningMean.zero()
        runningVariance.zero()
        batchesTrackedState.value.pointer[0] = 0
        reestimatedBatches = 0
    }

    func finishReestimatingStatistics() { reestimatedBatches = nil }

    /// The momentum of this forward's update: the layer's, or 1/(k + 1) for the k-th batch of a
    /// re-estimate (a running mean of the batches' statistics).
    private func statisticsMomentum() -> Float {
        guard let k = reestimatedBatches, updatesRunningStatistics else { return momentum }
        reestimatedBatches = k + 1
        return 1 / Float(k + 1)
    }

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        lastInput = input
        lastForwardTrained = isTraining
        let y = Matrix(output.pointer, rows: input.rows, columns: outputWidth)
        let (B, C, S) = (Int64(input.rows), Int64(channels), Int64(spatial))
        let status: vg_status
        if isTraining {
            let update = updatesRunningStatistics
            status = vg_batchnorm_forward_train(y.base, savedMean.pointer, savedRstd.pointer,
                                                update ? runningMean.pointer : nil,
                                                update ? runningVariance.pointer : nil, input.base, weight.value.pointer,
                                                bias.value.pointer, B, C, S, statisticsMomentum(), epsilon)
            if update { batchesTrackedState.value.pointer[0] += 1 }
        } else {
            status = vg_batchnorm_forward_eval(y.base, input.base, weight.value.pointer, bias.value.pointer,
                                               runningMean.pointer, runningVariance.pointer, B, C, S, epsilon)
        }
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return y
    }

    /// The backward of a training-mode forward (an evaluation-mode one is an affine map that
    /// training never differentiates; asking for it is a programming error).
    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        guard let x = lastInput else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(lastForwardTrained, "BatchNorm.backward after an evaluation-mode forward")
        precondition(outputGradient.rows == x.rows && outputGradient.columns == outputWidth,
                     "BatchNorm.backward: gradient (\(outputGradient.rows), \(outputGradient.columns)) for output (\(x.rows), \(outputWidth))")
        let status = vg_batchnorm_backward(
            computeInputGradient ? inputGradient.pointer : nil,
            accumulateParameterGradients ? weight.gradient.pointer : nil,
            accumulateParameterGradients ? bias.gradient.pointer : nil, outputGradient.base, x.base,
            savedMean.pointer, savedRstd.pointer, weight.value.pointer, Int64(x.rows), Int64(channels),
            Int64(spatial), 0)
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return Matrix(inputGradient.pointer, rows: computeInputGradient ? x.rows : 0, columns: inputWidth)
    }
}

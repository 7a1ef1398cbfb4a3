// ParameterStore: one model part's parameters in one allocation, the shape of llm.c's
// malloc_and_point_parameters (train_gpt2.c): the part's layers first declare every tensor in
// a Layout (name and shape only), then the store sizes them, makes one 64-byte aligned buffer
// of values and one of gradients, and points each `Parameter` into both at the same offset.
// Optimizer state (Adam's moments, SGD's velocity) mirrors the same layout (`mirror()`), so
// zeroing a part's gradients is one call and an optimizer step is one pass over the part.
//
// Non-trainable state (batch-norm running statistics) has its own buffer in the store, with
// names of its own, saved in checkpoints beside the parameters. What a "part" is belongs to
// the model: whatever one optimizer trains (the β-VAE is one part; the GAN two; the VAE-GAN
// three).
//
// The store also holds the part's scratch memory: what a layer needs only while one of its
// calls runs (a convolution's patch matrix). A part's layers and passes never run at the same
// time, so one buffer as large as the largest need serves them all.

/// A non-trainable tensor of a store (no gradient, not touched by optimizers), saved in
/// checkpoints under its name, as PyTorch saves a module's buffers in its state_dict.
public final class StateTensor {
    public let name: String
    public let shape: [Int]
    public let count: Int
    /// Where it starts in the store's state buffer, in Floats (a multiple of 16).
    public let offset: Int
    private var view: Tensor?

    init(name: String, shape: [Int], offset: Int) {
        self.name = name
        self.shape = shape
        count = shape.reduce(1, *)
        self.offset = offset
    }

    /// The values, a view into the store's state buffer.
    public var value: Tensor {
        guard let view else { preconditionFailure("state tensor \(name) is read before its ParameterStore exists") }
        return view
    }

    func bind(to buffer: Tensor) {
        precondition(view == nil, "state tensor \(name) is in two stores")
        view = Tensor(viewing: buffer, offset: offset, shape: shape)
    }
}

/// A layer's scratch memory for the duration of one call, in its store's shared scratch buffer.
public final class Scratch {
    /// Floats the layer needs.
    public let count: Int
    private var buffer: Tensor?

    init(count: Int) { self.count = count }

    /// The memory; valid once the store exists, overwritten by the part's next call.
    public var pointer: UnsafeMutablePointer<Float> {
        guard let buffer else { preconditionFailure("scratch memory is used before its ParameterStore exists") }
        return buffer.pointer
    }

    fileprivate func bind(to buffer: Tensor) {
        precondition(self.buffer == nil, "scratch memory in two stores")
        self.buffer = buffer
    }
}

/// The parameters (and non-trainable state) of one model part, in one buffer of values and
/// one of gradients.
///
/// ```swift
/// let layout = ParameterStore.Layout()
/// let encoder = try Sequential.mlp(name: "encoder", widths: [784, 512, 256], hidden: .relu,
///                                  output: .relu, batchCapacity: 128, parameters: layout)
/// var rng = RandomGenerator(seed: 0)
/// let store = try ParameterStore(layout, initializingWith: &rng)  // allocates, points, initializes
/// store.zeroGradients()                                            // one call for the part
/// let adam = try Adam(store: store, learningRate: 1e-3)            // moments in the same layout
/// ```
///
/// Performance: the optimizer's step is one C call over `count` Floats (split over the thread
/// pool there), instead of one call per tensor; the padding that keeps each parameter 64-byte
/// aligned (under 16 Floats per tensor) stays zero through every update.
public final class ParameterStore {
    /// The tensors a part's layers declare while they are built, before any memory exists,
    /// and how to initialize them once it does.
    public final class Layout {
        public private(set) var parameters: [Parameter] = []
        public private(set) var state: [StateTensor] = []
        /// Floats the value (and gradient) buffer needs, padding included.
        public private(set) var parameterFloats = 0
        /// Floats the state buffer needs, padding included.
        public private(set) var stateFloats = 0
        /// Floats the shared scratch buffer needs: the largest single need.
        public private(set) var scratchFloats = 0
        fileprivate var scratches: [Scratch] = []
        fileprivate var initializers: [(inout RandomGenerator) throws(VAEGANError) -> Void] = []
        private var names: Set<String> = []

        public init() {}

        /// Declares a trainable tensor; its memory exists once the store is made.
        public func parameter(_ name: String, shape: [Int]) -> Parameter {
            let p = Parameter(name: name, shape: shape, offset: parameterFloats)
            declare(name, shape: shape, floats: &parameterFloats)
            parameters.append(p)
            return p
        }

        /// Declares a non-trainable tensor (zero until something writes it).
        public func state(_ name: String, shape: [Int]) -> StateTensor {
            let s = StateTensor(name: name, shape: shape, offset: stateFloats)
            declare(name, shape: shape, floats: &stateFloats)
            state.append(s)
            return s
        }

        /// Declares scratch memory a layer uses during its calls only; every scratch of the
        /// layout shares one buffer.
        public func scratch(floats: Int) -> Scratch {
            let s = Scratch(count: floats)
            scratchFloats = max(scratchFloats, floats)
            scratches.append(s)
            return s
        }

        /// Adds a step to the store's initialization; steps run in the order they were added,
        /// each drawing from the same generator, so building layers in a fixed order fixes
        /// every draw.
        public func initialize(_ step: @escaping (inout RandomGenerator) throws(VAEGANError) -> Void) {
            initializers.append(step)
        }

        private func declare(_ name: String, shape: [Int], floats: inout Int) {
            precondition(shape.allSatisfy { $0 > 0 }, "\(name): shape \(shape) must be positive")
            precondition(names.insert(name).inserted, "two tensors named \(name) in one ParameterStore")
            floats += ParameterStore.padded(shape.reduce(1, *))
        }
    }

    /// The trainable tensors, in the order they were declared.
    public let parameters: [Parameter]
    /// The non-trainable tensors, in the order they were declared.
    public let state: [StateTensor]
    /// Every parameter's values: [count], 64-byte aligned.
    public let values: Tensor
    /// Every parameter's gradient, at the same offsets as `values`.
    public let gradients: Tensor
    /// The state tensors' values: [stateCount].
    public let stateValues: Tensor
    /// The layers' shared scratch memory (see the file's header).
    public let scratch: Tensor

    /// Allocates the layout's buffers, points its tensors into them and runs its initializers
    /// with `rng`.
    ///
    /// - Throws: `.outOfMemory` when a buffer cannot be allocated; whatever an initializer throws.
    public init(_ layout: Layout, initializingWith rng: inout RandomGenerator) throws(VAEGANError) {
        parameters = layout.parameters
        state = layout.state
        values = try .zeros([layout.parameterFloats])
        gradients = try .zeros([layout.parameterFloats])
        stateValues = try .zeros([layout.stateFloats])
        scratch = try .zeros([layout.scratchFloats])
        for p in parameters { p.bind(to: self) }
        for s in state { s.bind(to: stateValues) }
        for s in layout.scratches { s.bind(to: scratch) }
        for step in layout.initializers { try step(&rng) }
    }

    /// A store for a layout without initializers: every value starts at zero.
    public convenience init(_ layout: Layout) throws(VAEGANError) {
        precondition(layout.initializers.isEmpty, "this layout initializes its parameters: pass a generator")
        var unused = RandomGenerator(seed: 0)
        try self.init(layout, initializingWith: &unused)
    }

    /// Floats in `values` and `gradients`, padding included.
    public var count: Int { values.count }
    /// Scalars in the parameters themselves (no padding).
    public var scalarCount: Int { parameters.scalarCount }

    /// Zeroes every gradient of the part in one call: backward passes accumulate, so each step
    /// starts here.
    public func zeroGradients() { gradients.zero() }

    /// A zeroed buffer in the values' layout, for an optimizer's per-parameter state.
    public func mirror() throws(VAEGANError) -> Tensor { try .zeros([count]) }

    /// `parameter`'s slice of `buffer`, a buffer made by `mirror()`.
    public func view(of parameter: Parameter, in buffer: Tensor) -> Tensor {
        precondition(parameter.store === self, "\(parameter.name) is not in this store")
        return Tensor(viewing: buffer, offset: parameter.offset, shape: parameter.shape)
    }

    /// The store that holds exactly `parameters` (all of its parameters, in any order): what an
    /// optimizer built from a list of parameters steps over.
    ///
    /// - Throws: `.invalidArgument` when the list is not one whole store.
    public static func holding(_ parameters: [Parameter]) throws(VAEGANError) -> ParameterStore {
        guard let store = parameters.first?.store,
              parameters.count == store.parameters.count,
              Set(parameters.map(ObjectIdentifier.init)) == Set(store.parameters.map(ObjectIdentifier.init))
        else {
            throw .invalidArgument("an optimizer takes all the parameters of one ParameterStore (one model part); "
                                   + "\(parameters.count) parameters starting with \(parameters.first?.name ?? "none") are not one")
        }
        return store
    }

    /// `count` rounded up to a whole number of 64-byte lines.
    static func padded(_ count: Int) -> Int { (count + 15) / 16 * 16 }
}

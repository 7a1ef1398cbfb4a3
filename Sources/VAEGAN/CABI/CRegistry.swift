// The live vg_model handles. A handle is the address of a CModel retained with Unmanaged;
// the registry records every live one with a busy flag, so a call can tell a live handle from
// a freed or foreign pointer (VG_ERROR_INVALID_ARGUMENT instead of a crash) and a handle
// already inside a call on another thread (VG_ERROR_STATE) — and vg_model_free never
// releases a model a call is still using.
//
// Looking up and marking busy happen under one lock, so a free cannot slip in between.
import CVAEGAN

enum HandleRegistry {
    /// Handle address → whether a call is inside it.
    private static let live = PosixLock<[UInt: Bool]>([:])

    /// Retains `model` and returns its new handle.
    static func register(_ model: CModel) -> OpaquePointer {
        let handle = OpaquePointer(Unmanaged.passRetained(model).toOpaque())
        live.withLock { $0[UInt(bitPattern: handle)] = false }
        return handle
    }

    /// Claims the live, idle entry for `key`: sets it to `newState` (true: busy; nil: forgotten).
    private static func claim(_ key: UInt, setting newState: Bool?, whenBusy: String) throws(VAEGANError) {
        enum Lookup { case unknown, busy, claimed }
        let lookup: Lookup = live.withLock { handles in
            switch handles[key] {
            case nil: return .unknown
            case true?: return .busy
            case false?:
                handles[key] = newState
                return .claimed
            }
        }
        switch lookup {
        case .unknown: throw .invalidArgument("model is not a live vg_model handle (freed already, or never created)")
        case .busy: throw .state(whenBusy)
        case .claimed: break
        }
    }

    /// Runs `body` with the model behind `handle`, marked busy for the duration.
    static func withModel<Result>(_ handle: OpaquePointer?, _ body: (CModel) throws(VAEGANError) -> Result)
        throws(VAEGANError) -> Result
    {
        guard let handle else { throw .invalidArgument("model is NULL") }
        let key = UInt(bitPattern: handle)
        try claim(key, setting: true, whenBusy: "model is in use by another call (one handle must not be used concurrently)")
        defer { live.withLock { $0[key] = false } }
        return try body(Unmanaged<CModel>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue())
    }

    /// Runs `body` with the model behind `handle` whether or not a call is inside it, under the
    /// registry's lock (so no free can release it meanwhile): for vg_model_request_stop, which
    /// touches only an atomic. `body` must be short and must not call back into the registry.
    static func withLiveModel(_ handle: OpaquePointer?, _ body: (CModel) -> Void) throws(VAEGANError) {
        guard let handle else { throw .invalidArgument("model is NULL") }
        let found: Bool = live.withLock { handles in
            guard handles[UInt(bitPattern: handle)] != nil else { return false }
            body(Unmanaged<CModel>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue())
            return true
        }
        guard found else { throw .invalidArgument("model is not a live vg_model handle (freed already, or never created)") }
    }

    /// Forgets `handle` and releases its model.
    static func release(_ handle: OpaquePointer) throws(VAEGANError) {
        try claim(UInt(bitPattern: handle), setting: nil, whenBusy: "model is in use by another call; not freed")
        Unmanaged<CModel>.fromOpaque(UnsafeRawPointer(handle)).release()
    }
}

// Library-wide facts.
import CVAEGAN

public enum Library {
    /// "MAJOR.MINOR.PATCH", the same string the C ABI's vg_version() returns.
    public static var version: String { String(cString: vg_version()) }
}

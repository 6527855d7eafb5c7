import CLinuxShims

/// Whether the kernel considers the system clock synchronised (NTP, PTP, chrony…).
///
/// A workshop tablet that was offline for a week may have drifted by minutes; finance must
/// be able to tell such times from verified ones.
public enum SystemClock {
    public static var isSynchronized: Bool {
        scanbridge_clock_unsynchronized() == 0
    }
}

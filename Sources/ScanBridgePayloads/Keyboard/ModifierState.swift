/// Which modifier keys are held, from their press and release events.
///
/// Left and right keys are tracked separately so that releasing one Shift while the other is held
/// keeps Shift on. `KEY_RIGHTALT` is AltGr (level 3), not Alt; only `KEY_LEFTALT` starts Alt codes.
struct ModifierState: Sendable, Hashable {
    private(set) var leftShift = false
    private(set) var rightShift = false
    private(set) var leftCtrl = false
    private(set) var rightCtrl = false
    private(set) var alt = false
    private(set) var altGr = false
    private(set) var leftMeta = false
    private(set) var rightMeta = false

    var shift: Bool { leftShift || rightShift }
    var ctrl: Bool { leftCtrl || rightCtrl }

    /// Records a press or release; returns false if `code` is not a modifier.
    mutating func update(code: UInt16, pressed: Bool) -> Bool {
        switch code {
        case KeyCode.leftShift: leftShift = pressed
        case KeyCode.rightShift: rightShift = pressed
        case KeyCode.leftCtrl: leftCtrl = pressed
        case KeyCode.rightCtrl: rightCtrl = pressed
        case KeyCode.leftAlt: alt = pressed
        case KeyCode.rightAlt: altGr = pressed
        case KeyCode.leftMeta: leftMeta = pressed
        case KeyCode.rightMeta: rightMeta = pressed
        default: return false
        }
        return true
    }
}

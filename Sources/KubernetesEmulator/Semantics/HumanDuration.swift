/// Formats an age the way `kubectl get` shows it (apimachinery's `HumanDuration`):
/// `45s`, `5m10s`, `3h`, `2d5h`, `400d`, `3y120d`.
func humanDuration(seconds total: Double) -> String {
    // Go's `int(d.Seconds())` truncates toward zero; more than a second in the future is "<invalid>".
    let seconds = Int64(total.rounded(.towardZero))
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 60 * 2 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 {
        let s = seconds % 60
        return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
    }
    if minutes < 60 * 3 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 {
        let m = minutes % 60
        return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
    }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 {
        let h = hours % 24
        return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
    }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365
        return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
    }
    return "\(hours / 24 / 365)y"
}

/// Field paths in the form Kubernetes prints them: `spec.containers[1].ports[0].name`.
enum FieldPath {
    /// The enclosing field: `a.b[2]` → `a.b`, `a.b` → `a`, `a` → ``.
    static func parent(of path: String) -> String {
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") {
            return String(path[..<open])
        }
        if let dot = path.lastIndex(of: ".") {
            return String(path[..<dot])
        }
        return ""
    }
}

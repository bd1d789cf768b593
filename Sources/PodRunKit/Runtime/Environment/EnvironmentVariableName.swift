/// The rule that turns a Kubernetes name into part of an environment variable name, shared by the
/// port (`PODRUN_PORT_WEB_HTTP`) and volume (`PODRUN_VOLUME_SHARED_LOGS`) variables so both read
/// alike and every shell can use them (`$PODRUN_PORT_WEB_HTTP`; a `-` would end the name there).
enum EnvironmentVariableName {
    /// `shared-logs` → `SHARED_LOGS`: ASCII letters upper-cased, digits kept, anything else `_`.
    static func component(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z": Character(String(scalar).uppercased())
            case "A"..."Z", "0"..."9": Character(scalar)
            default: "_"
            }
        })
    }
}

/// The version `podrun version` prints and run directories record.
public enum PodRunVersion {
    public static let current = "0.1.0"
}

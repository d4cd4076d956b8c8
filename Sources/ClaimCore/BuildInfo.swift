/// What every binary says with `--version` (and, later, a build-info metric): the version of
/// the programme's code, raised when an issue lands.
public enum BuildInfo {
    public static let version = "0.16.0"
}

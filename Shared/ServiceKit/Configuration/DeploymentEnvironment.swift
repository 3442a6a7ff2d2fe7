/// Where a service runs. Development and test accept the built-in local defaults for secrets; production refuses
/// to start with them.
public enum DeploymentEnvironment: String, CaseIterable, Sendable {
    case development
    case test
    case production
}

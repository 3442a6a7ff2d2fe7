import Contracts
import Auth
import ServiceKit

await ServiceMain.run(.auth, build: buildApplication(configuration:))

import Contracts
import Messaging
import ServiceKit

await ServiceMain.run(.messaging, build: buildApplication(configuration:))

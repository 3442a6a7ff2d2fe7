import Contracts
import Search
import ServiceKit

await ServiceMain.run(.search, build: buildApplication(configuration:))

import Contracts
import Booking
import ServiceKit

await ServiceMain.run(.booking, build: buildApplication(configuration:))

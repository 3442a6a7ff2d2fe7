import ServiceKit

/// A refusal as clients read it, over HTTP and in the socket's error frames.
extension MessagingRefusal: ProblemConvertible {
    var problem: Problem {
        switch self {
        case .conversationChanged: Problem.conflict("The conversation changed while it was opened; try again.")
        case .foreignAttachments: Problem.refused("attachmentIds", "must be attachments you uploaded and have not sent in another conversation")
        case .noConversation: Problem.notFound("No such conversation.")
        }
    }
}

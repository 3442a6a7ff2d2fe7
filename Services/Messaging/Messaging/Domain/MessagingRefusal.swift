/// What the messaging stores refuse, in the middle of a transaction that it undoes.
enum MessagingRefusal: Error, Equatable {
    /// Another request opened the same conversation at the same moment; asking again finds it.
    case conversationChanged
    /// A message named attachments that are not the sender's, or were sent in another conversation.
    case foreignAttachments
    case noConversation
}

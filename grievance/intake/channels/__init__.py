"""Message-channel adapters (`grievance.intake.messages.MessageChannel`), one per provider."""

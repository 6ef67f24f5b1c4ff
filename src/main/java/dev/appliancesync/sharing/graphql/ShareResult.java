package dev.appliancesync.sharing.graphql;

import org.eclipse.microprofile.graphql.Description;

import dev.appliancesync.sharing.ShareService;

@Description("Exactly one is set: the share, or the invitation when the recipient has no account (with that verified "
        + "email) yet")
public record ShareResult(Share share, Invitation invitation) {

    static ShareResult of(ShareService.Outcome outcome) {
        return new ShareResult(outcome.share() == null ? null : Share.of(outcome.share()),
                outcome.invitation() == null ? null : Invitation.of(outcome.invitation()));
    }
}

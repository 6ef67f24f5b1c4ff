package dev.appliancesync.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** What a finished sign-in answers, for how long, and how many are held; on a clock the test moves. */
class RecentSignInsTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);

    private final AtomicLong now = new AtomicLong(1_000);
    private final RecentSignIns recent = new RecentSignIns(WINDOW, 3, now::get);

    @Test
    void aSignInAnswersTheSameFactsUntilTheWindowHasPassed() {
        SignedInPrincipal alice = principal("alice", "alice@example.com", true);
        AppUser user = user(alice);
        recent.remember(alice, user);

        now.addAndGet(WINDOW.toNanos() - 1);
        assertThat(recent.find(alice)).as("just within the window").isEqualTo(user);
        assertThat(recent.find(principal("alice", "alice@example.com", true))).as("equal facts, another token")
                .isEqualTo(user);

        now.incrementAndGet();
        assertThat(recent.find(alice)).as("once the window has passed").isNull();
        assertThat(recent.size()).as("dropped when found expired").isZero();
    }

    @Test
    void otherFactsOfTheSameUserAreNotAnsweredAndALaterSignInReplacesTheEarlier() {
        SignedInPrincipal before = principal("bob", "bob@example.com", true);
        recent.remember(before, user(before));

        assertThat(recent.find(principal("bob", "bob.new@example.com", true))).as("new email").isNull();
        assertThat(recent.find(principal("bob", "bob@example.com", false))).as("verification").isNull();
        assertThat(recent.find(new SignedInPrincipal(before.subject(), "robert", before.email(), true, Set.of())))
                .as("new username").isNull();
        assertThat(recent.find(new SignedInPrincipal(before.subject(), "bob", before.email(), true, Set.of("admin"))))
                .as("new groups").isNull();

        SignedInPrincipal after = principal("bob", "bob.new@example.com", true);
        AppUser changed = user(after);
        recent.remember(after, changed);
        assertThat(recent.find(after)).isEqualTo(changed);
        assertThat(recent.find(before)).as("the older token, once a newer one signed in: it signs in again")
                .isNull();
        assertThat(recent.size()).as("one per user").isOne();
    }

    @Test
    void atMostMaxUsersAreHeldTheOldestGoingFirst() {
        SignedInPrincipal[] users = new SignedInPrincipal[4];
        for (int i = 0; i < users.length; i++) {
            users[i] = principal("user" + i, "user" + i + "@example.com", true);
            recent.remember(users[i], user(users[i]));
            now.addAndGet(1);
        }

        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.find(users[0])).as("the oldest, dropped for the fourth").isNull();
        for (int i = 1; i < users.length; i++) {
            assertThat(recent.find(users[i])).as("user %d", i).isNotNull();
        }
    }

    @Test
    void expiredSignInsAreDroppedWhenAnotherIsKept() {
        SignedInPrincipal early = principal("early", "early@example.com", true);
        recent.remember(early, user(early));
        now.addAndGet(WINDOW.toNanos());

        SignedInPrincipal late = principal("late", "late@example.com", true);
        recent.remember(late, user(late));

        assertThat(recent.size()).as("the expired one dropped, not only hidden").isOne();
        assertThat(recent.find(late)).isNotNull();
    }

    @Test
    void aWindowOfZeroKeepsNothingAndNonsenseIsRefused() {
        RecentSignIns off = new RecentSignIns(Duration.ZERO, 3, now::get);
        SignedInPrincipal carol = principal("carol", "carol@example.com", true);
        off.remember(carol, user(carol));
        assertThat(off.find(carol)).isNull();
        assertThat(off.size()).isZero();

        assertThatThrownBy(() -> new RecentSignIns(Duration.ofSeconds(-1), 3, now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecentSignIns(WINDOW, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }

    private static SignedInPrincipal principal(String username, String email, boolean verified) {
        return new SignedInPrincipal(UUID.nameUUIDFromBytes(username.getBytes()).toString(), username, email,
                verified, Set.of());
    }

    private static AppUser user(SignedInPrincipal principal) {
        return new AppUser(UUID.randomUUID(), principal.subject(), principal.username(), principal.email(),
                principal.emailVerified());
    }
}

package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.PolicyFiles;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What {@link Authorizer} remembers is shared by callers in the same groups, since the engine cannot tell them apart,
 * until a policy names a user: then each user's questions are their own again, and a policy that denies one person
 * never lends that person someone else's answer.
 * <p>
 * A remembered decision is the very object the engine's answer was stored as; a decision the engine was asked for
 * again is a new one. That is what these tests compare: whether the engine was asked.
 */
@QuarkusTest
class RememberedDecisionsTest {

    @Inject
    Authorizer authorizer;

    @Inject
    PolicyStore policyStore;

    private PolicyFiles files;
    /** Groups no other test uses, so nothing is remembered for them before the test asks. */
    private final Set<String> groups = Set.of("memo-" + UUID.randomUUID());
    /** FAMILY may view and adjust a MINI_OVEN (the default policies). */
    private final Resource.Appliance oven = new Resource.Appliance(UUID.randomUUID(), "MINI_OVEN", null);
    private final List<Grant> family = List.of(Grant.of(Role.FAMILY));

    @BeforeEach
    void policyFiles() {
        files = new PolicyFiles(policyStore);
    }

    @AfterEach
    void deletePolicyFiles() throws IOException {
        files.deleteAll();
    }

    @Test
    void twoCallersInTheSameGroupsShareOneAnswerOfTheEngine() {
        assertThat(policyStore.current().namesUsers()).as("the default policies name no user").isFalse();
        Subject first = new Subject(UUID.randomUUID(), groups);
        Subject second = new Subject(UUID.randomUUID(), groups);

        Decision asked = authorizer.session(first).decide(Capability.ADJUST_SETTINGS.name(), oven, family);
        Decision remembered = authorizer.session(second).decide(Capability.ADJUST_SETTINGS.name(), oven, family);

        assertThat(asked.allowed()).isTrue();
        // Decisions are remembered per minute: at a minute's turn between the two, the engine is asked again.
        if (remembered != asked) {
            remembered = authorizer.session(second).decide(Capability.ADJUST_SETTINGS.name(), oven, family);
            asked = authorizer.session(first).decide(Capability.ADJUST_SETTINGS.name(), oven, family);
        }
        assertThat(remembered).as("the second caller's answer is the first one's, remembered").isSameAs(asked);

        Subject otherGroups = new Subject(UUID.randomUUID(), Set.of("memo-" + UUID.randomUUID()));
        assertThat(authorizer.session(otherGroups).decide(Capability.ADJUST_SETTINGS.name(), oven, family))
                .as("a caller in other groups is asked about on their own").isNotSameAs(asked);
    }

    @Test
    void onceAPolicyNamesAUserTheirAnswerIsNeverAnotherCallers() {
        Subject named = new Subject(UUID.randomUUID(), groups);
        Subject other = new Subject(UUID.randomUUID(), groups);
        files.writeInForce("names-a-user-" + UUID.randomUUID() + ".cedar", """
                @id("no-adjusting-%s")
                forbid (principal == User::"%s", action == Action::"ADJUST_SETTINGS", resource is Appliance);
                """.formatted(UUID.randomUUID(), named.userId()));
        assertThat(policyStore.current().namesUsers()).as("the policy set names a user").isTrue();

        // The other caller first: shared with the named one, their allow would answer the named one too.
        Decision allowed = authorizer.session(other).decide(Capability.ADJUST_SETTINGS.name(), oven, family);
        Decision denied = authorizer.session(named).decide(Capability.ADJUST_SETTINGS.name(), oven, family);

        assertThat(allowed.allowed()).as("the policy does not name the other caller").isTrue();
        assertThat(denied.allowed()).as("the named user is denied, whoever asked before them").isFalse();
        assertThat(denied.policies()).anySatisfy(policy -> assertThat(policy).startsWith("no-adjusting-"));
    }
}

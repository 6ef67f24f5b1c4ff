package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.policy.ApplianceGrant;
import dev.appliancesync.cloud.policy.CloudGrants;
import dev.appliancesync.cloud.policy.CloudPermission;
import dev.appliancesync.cloud.policy.CompiledAccess;
import dev.appliancesync.cloud.policy.CompiledPolicy;
import dev.appliancesync.cloud.policy.HouseholdGrant;
import dev.appliancesync.cloud.policy.IotPolicyCompiler;
import dev.appliancesync.cloud.policy.IotQuotas;
import dev.appliancesync.cloud.policy.PolicyTarget;
import dev.appliancesync.cloud.policy.QuotaExceededException;
import io.vertx.core.json.JsonObject;

/**
 * Compiling the IoT policies of a user who reaches 1,000 appliances across 50 households: member of 40 as a guest
 * (VIEW), of 10 as family (VIEW, ADJUST_SETTINGS, COMMAND), with 20 appliances of the guest households also shared
 * directly with settings. Then the refusal path: 1,000 appliances shared one by one, far over the quotas. Prints
 * latency percentiles and the documents. Run: ./mvnw -Pbenchmarks test -Dtest=PolicyCompileBenchmark
 */
class PolicyCompileBenchmark {

    private static final PolicyTarget TARGET = new PolicyTarget("us-east-1", "123456789012", "appliance-sync-");
    private static final String USER = "4f0c2d8e-5b1a-4c9e-9d7f-1a2b3c4d5e6f";
    private static final int WARM_UP = 3_000;
    private static final int MEASURED = 3_000;
    private static final Pattern NEEDED = Pattern.compile("need (?:at least )?(\\d+)");

    private final IotPolicyCompiler compiler = new IotPolicyCompiler();

    @Test
    void userWith1000AppliancesAcross50Households() {
        List<HouseholdGrant> households = new ArrayList<>();
        List<ApplianceGrant> direct = new ArrayList<>();
        List<ApplianceGrant> flattened = new ArrayList<>();
        for (int h = 0; h < 50; h++) {
            String prefix = "%08x".formatted(0x5eed0000 + h * 7919);
            List<String> things = new ArrayList<>();
            for (int a = 0; a < 20; a++) {
                things.add("oven-" + h + "-" + a);
            }
            boolean family = h < 10;
            Set<CloudPermission> permissions = family ? EnumSet.allOf(CloudPermission.class)
                    : EnumSet.of(CloudPermission.VIEW);
            households.add(new HouseholdGrant(prefix, permissions));
            things.forEach(thing -> flattened.add(new ApplianceGrant(thing, permissions)));
            if (!family && h < 30) {
                direct.add(new ApplianceGrant(things.getFirst(), Set.of(CloudPermission.ADJUST_SETTINGS)));
            }
        }
        CloudGrants grants = new CloudGrants(USER, households, direct);
        CompiledAccess access = compiler.compile(grants, TARGET);
        assertThat(access.policies()).hasSizeLessThanOrEqualTo(IotQuotas.MAX_POLICIES_PER_IDENTITY);
        List<String> documents = access.policies().stream().map(CompiledPolicy::document).toList();

        Samples compile = measure(() -> compiler.compile(grants, TARGET));
        // The floor for producing these bytes: reading them back as JSON.
        Samples parse = measure(() -> documents.stream().map(JsonObject::new).toList());
        IntSummaryStatistics sizes = documents.stream().mapToInt(IotQuotas::documentSize).summaryStatistics();
        report("1,000 appliances in 50 households (40 guest, 10 family, 20 direct)", compile,
                "%d documents, %d to %d characters (quota %d), %d in all".formatted(access.policies().size(),
                        sizes.getMin(), sizes.getMax(), IotQuotas.MAX_DOCUMENT_CHARACTERS, sizes.getSum()));

        // The same access granted appliance by appliance, as a compiler without household wildcards would write it.
        int perAppliance = policiesNeeded(new CloudGrants(USER, List.of(), flattened));
        BenchmarkResults.of(7, "policy-compile", "IoT policy compile")
                .baseline("the same access appliance by appliance; reading the output back")
                .conditions(("a user reaching 1,000 appliances through 50 households (40 as guest, 10 as family) and "
                        + "20 direct shares; %,d compiles after %,d warm-up, against reading the same documents back "
                        + "with Jackson (the least anything spends on these bytes)").formatted(MEASURED, WARM_UP))
                .figure("IoT policies needed (quota 10)", "", BenchmarkResults.Better.LOWER, access.policies().size(),
                        perAppliance, "appliance by appliance")
                .figure("compile p50", "ms", BenchmarkResults.Better.LOWER, compile.p50(), parse.p50(), "JSON parse")
                .figure("compile p99", "ms", BenchmarkResults.Better.LOWER, compile.p99(), parse.p99(), "JSON parse")
                .detail("documents", "%d of %d to %d characters".formatted(documents.size(), sizes.getMin(),
                        sizes.getMax()))
                .write();
    }

    @Test
    void refusingGrantsFarOverTheQuotas() {
        List<ApplianceGrant> appliances = new ArrayList<>();
        for (int a = 0; a < 1_000; a++) {
            appliances.add(new ApplianceGrant("oven-" + a, EnumSet.allOf(CloudPermission.class)));
        }
        CloudGrants grants = new CloudGrants(USER, List.of(), appliances);
        QuotaExceededException refusal = catchThrowableOfType(QuotaExceededException.class,
                () -> compiler.compile(grants, TARGET));
        assertThat(refusal).isNotNull();

        Samples nanos = measure(() -> catchThrowableOfType(QuotaExceededException.class,
                () -> compiler.compile(grants, TARGET)));
        report("1,000 appliances shared one by one (refused)", nanos, refusal.getMessage());
    }

    /** How many policies grants that cannot fit would need, from the compiler's refusal. */
    private int policiesNeeded(CloudGrants grants) {
        QuotaExceededException refusal = catchThrowableOfType(QuotaExceededException.class,
                () -> compiler.compile(grants, TARGET));
        assertThat(refusal).as("grants appliance by appliance fit the quota").isNotNull();
        Matcher needed = NEEDED.matcher(refusal.getMessage());
        assertThat(needed.find()).as("the refusal says how many: %s", refusal.getMessage()).isTrue();
        return Integer.parseInt(needed.group(1));
    }

    private static Samples measure(Supplier<?> compile) {
        for (int i = 0; i < WARM_UP; i++) {
            compile.get();
        }
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long started = System.nanoTime();
            compile.get();
            nanos[i] = System.nanoTime() - started;
        }
        return Samples.ofNanos(nanos);
    }

    private static void report(String label, Samples nanos, String outcome) {
        System.out.printf("BENCHMARK policy-compile | %s | n=%d | p50 %.3f ms | p99 %.3f ms | max %.3f ms | %s%n",
                label, nanos.count(), nanos.p50(), nanos.p99(), nanos.max(), outcome);
    }
}

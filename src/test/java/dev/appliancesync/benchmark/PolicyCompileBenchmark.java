package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

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

    private final IotPolicyCompiler compiler = new IotPolicyCompiler();

    @Test
    void userWith1000AppliancesAcross50Households() {
        List<HouseholdGrant> households = new ArrayList<>();
        List<ApplianceGrant> direct = new ArrayList<>();
        for (int h = 0; h < 50; h++) {
            String prefix = "%08x".formatted(0x5eed0000 + h * 7919);
            List<String> things = new ArrayList<>();
            for (int a = 0; a < 20; a++) {
                things.add(prefix + "-oven-" + h + "-" + a);
            }
            boolean family = h < 10;
            households.add(new HouseholdGrant(prefix, family ? EnumSet.allOf(CloudPermission.class)
                    : EnumSet.of(CloudPermission.VIEW), things));
            if (!family && h < 30) {
                direct.add(new ApplianceGrant(things.getFirst(), Set.of(CloudPermission.ADJUST_SETTINGS)));
            }
        }
        CloudGrants grants = new CloudGrants(USER, households, direct);
        CompiledAccess access = compiler.compile(grants, TARGET);
        assertThat(access.policies()).hasSizeLessThanOrEqualTo(IotQuotas.MAX_POLICIES_PER_IDENTITY);

        long[] nanos = measure(() -> compiler.compile(grants, TARGET));
        IntSummaryStatistics sizes = access.policies().stream().map(CompiledPolicy::document)
                .mapToInt(IotQuotas::documentSize).summaryStatistics();
        report("1,000 appliances in 50 households (40 guest, 10 family, 20 direct)", nanos,
                "%d documents, %d to %d characters (quota %d), %d in all".formatted(access.policies().size(),
                        sizes.getMin(), sizes.getMax(), IotQuotas.MAX_DOCUMENT_CHARACTERS, sizes.getSum()));
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

        long[] nanos = measure(() -> catchThrowableOfType(QuotaExceededException.class,
                () -> compiler.compile(grants, TARGET)));
        report("1,000 appliances shared one by one (refused)", nanos, refusal.getMessage());
    }

    private static long[] measure(Supplier<?> compile) {
        for (int i = 0; i < WARM_UP; i++) {
            compile.get();
        }
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long started = System.nanoTime();
            compile.get();
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void report(String label, long[] nanos, String outcome) {
        System.out.printf("BENCHMARK policy-compile | %s | n=%d | p50 %.3f ms | p99 %.3f ms | max %.3f ms | %s%n",
                label, MEASURED, ms(nanos[MEASURED / 2]), ms(nanos[MEASURED * 99 / 100]), ms(nanos[MEASURED - 1]),
                outcome);
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}

package dev.appliancesync.cloud;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the service in {@code aws} mode against a {@link FakeAws} started for it (the SDK clients pointed at the fake,
 * fixed credentials); a test gets that fake in a field marked {@link InjectFakeAws}. Listed by a test profile's
 * {@code testResources()}, so it lives exactly as long as that profile's application.
 */
public class FakeAwsResource implements QuarkusTestResourceLifecycleManager {

    /** The running {@link FakeAws}, in a field of the test. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectFakeAws {
    }

    private FakeAws aws;

    @Override
    public Map<String, String> start() {
        aws = FakeAws.start();
        return aws.settings();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(aws, new TestInjector.AnnotatedAndMatchesType(InjectFakeAws.class, FakeAws.class));
    }

    @Override
    public void stop() {
        if (aws != null) {
            aws.close();
        }
    }
}

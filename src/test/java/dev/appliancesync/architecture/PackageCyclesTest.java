package dev.appliancesync.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The feature packages (the first segment below {@code dev.appliancesync}) form layers: a cycle between two of them
 * means neither can be read, tested or moved without the other.
 */
class PackageCyclesTest {

    @Test
    void featurePackagesAreFreeOfCycles() {
        JavaClasses production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.appliancesync");

        slices().matching("dev.appliancesync.(*)..").should().beFreeOfCycles().check(production);
    }
}

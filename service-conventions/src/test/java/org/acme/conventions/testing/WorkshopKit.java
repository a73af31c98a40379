package org.acme.conventions.testing;

/**
 * Whether the service under test has the workshop kit. Its fault-switch tests run only then
 * ({@code @EnabledIf("org.acme.conventions.testing.WorkshopKit#present")}), so a service copied without the kit
 * still passes its own tests.
 */
public final class WorkshopKit {

    private WorkshopKit() {
    }

    public static boolean present() {
        try {
            Class.forName("org.acme.workshop.FaultSwitches", false, WorkshopKit.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

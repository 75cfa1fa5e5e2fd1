package greeting;

/** A library class, packaged as its own jar (target/lib/greeting.jar) on the app jar's Class-Path. */
public final class Greeting {
  private Greeting() {}

  public static String hello(String who) {
    return "hello from " + who + " (greeting.jar)";
  }
}

package org.acme.traffic;

import java.util.random.RandomGenerator;

/**
 * What a simulated user does in one visit, and how often, out of every ten visits. Each journey
 * sends a fixed number of requests, so that a rate in requests per second becomes a pace of journeys.
 */
public enum Journey {

    /** Opens the home page, watches one of the videos it shows: the site's main path. */
    HOME_AND_WATCH("home-and-watch", 6, 4),
    /** Opens the home page and comes back to it: the second feed comes from recommend-service's cache. */
    BROWSE("browse", 3, 3),
    /** Opens the upload page and uploads a video; some uploads are invalid on purpose. */
    UPLOAD("upload", 1, 2);

    public final String label;
    final int weight;
    final int requests;

    Journey(String label, int weight, int requests) {
        this.label = label;
        this.weight = weight;
        this.requests = requests;
    }

    /** Requests per journey, on average over the mix: 3.5. */
    public static double meanRequests() {
        double requests = 0;
        int weights = 0;
        for (Journey journey : values()) {
            requests += journey.weight * journey.requests;
            weights += journey.weight;
        }
        return requests / weights;
    }

    /** A journey drawn with the mix's weights. */
    public static Journey pick(RandomGenerator random) {
        int weights = 0;
        for (Journey journey : values()) {
            weights += journey.weight;
        }
        int draw = random.nextInt(weights);
        for (Journey journey : values()) {
            draw -= journey.weight;
            if (draw < 0) {
                return journey;
            }
        }
        throw new IllegalStateException("weights changed while drawing");
    }
}

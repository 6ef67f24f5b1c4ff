package dev.appliancesync.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A Dockerfile's instructions, by stage: enough to check what each stage starts from, copies, runs and exposes. */
record Dockerfile(Path file, List<Stage> stages) {

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String from, List<Instruction> instructions) {

        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        /** The last USER of the stage: the one the container runs as. */
        String user() {
            List<String> users = arguments("USER");
            if (users.isEmpty()) {
                throw new AssertionError("stage FROM " + from + " has no USER: it would run as root");
            }
            return users.getLast();
        }
    }

    static Dockerfile parse(Path file) {
        List<Stage> stages = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : DeployFiles.read(file).split("\n")) {
            String trimmed = line.strip();
            if (logical.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String instruction = logical.toString();
            logical.setLength(0);
            int space = instruction.indexOf(' ');
            String keyword = instruction.substring(0, space).toUpperCase();
            String arguments = instruction.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                stages.add(new Stage(arguments, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                if (!keyword.equals("ARG")) {
                    throw new AssertionError(file + ": " + keyword + " before the first FROM");
                }
            } else {
                stages.getLast().instructions().add(new Instruction(keyword, arguments));
            }
        }
        if (stages.isEmpty()) {
            throw new AssertionError(file + " has no FROM");
        }
        return new Dockerfile(file, stages);
    }

    Stage first() {
        return stages.getFirst();
    }

    /** The stage the image is made of. */
    Stage last() {
        return stages.getLast();
    }

    /** The image of a FROM line, without its "AS name". */
    static String image(String from) {
        return from.split("\\s+")[0];
    }

    /** Sources a COPY takes from the build context (not --from another stage). */
    List<String> contextSources() {
        List<String> sources = new ArrayList<>();
        for (Stage stage : stages) {
            for (String copy : stage.arguments("COPY")) {
                List<String> words = new ArrayList<>(List.of(copy.split("\\s+")));
                if (words.stream().anyMatch(w -> w.startsWith("--from="))) {
                    continue;
                }
                words.removeIf(w -> w.startsWith("--"));
                sources.addAll(words.subList(0, words.size() - 1));
            }
        }
        return sources;
    }
}

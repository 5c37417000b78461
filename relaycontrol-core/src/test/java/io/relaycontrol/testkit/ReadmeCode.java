package io.relaycontrol.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles and runs the {@code ```java} blocks of a Markdown file (a README), so that a README that drifts from the
 * API fails the build. relaycontrol's own build runs every block of {@code README.md} and {@code examples/*}{@code
 * /README.md} this way ({@code ReadmeCodeTest} in each module); other projects can use it for theirs.
 *
 * <h2>The convention</h2>
 * Each block is the body of a method, compiled with javac (javax.tools) against the test class path and then run.
 * The compilation unit imports, on demand, every public package of relaycontrol-api and relaycontrol-core
 * ({@code io.relaycontrol.api}, {@code .api.address}, {@code .core.rules}, {@code .net}, {@code .address},
 * {@code .auth}, {@code .limit}, {@code .limit.redis}, {@code .config}, {@code .check}), {@code java.util},
 * {@code java.nio.file}, {@code java.time}, {@code java.net} and {@code java.io}, plus the test kit statics
 * {@code PolicyAssertions.assertThat} and {@code Requests.*}, plus the module's own {@link #javaBlocks extra imports}.
 * Lines at the top of a block that start with {@code import } are moved to the compilation unit, so a block may show
 * its imports. A block that declares a type ({@code class}, {@code record}, {@code interface}, {@code enum}) is
 * compiled as a compilation unit of its own, and not run.
 *
 * <p>What a block needs but does not show (a file to load, a request, a port) is written in an HTML comment right
 * before the block (blank lines may separate them). It does not show on GitHub and is the block's hidden context:
 * <pre>
 * &lt;!-- readme-code
 * module: examples/smtp-server      which module's test compiles the block (default relaycontrol-core)
 * mode: compile                     compile only, do not run (default: run); say why in a comment line
 * id: quick-start                   a name for {@link Block#run(String)} from other tests
 * imports:
 * import java.util.concurrent.TimeUnit;
 * before:
 * Path dropFile = Files.writeString(Files.createTempFile("drop", ".txt"), "203.0.113.0/24 ; SBL123\n");
 * after:
 * assertThat(policy).acceptsStrangersBeforeRecipient();
 * --&gt;
 * </pre>
 * Lines after {@code before:} run before the block, lines after {@code after:} after it, in the same scope (so
 * {@code after:} can check what the block built). {@code nextBlock}, a {@code String}, holds the text of the next
 * fenced block of another language (for example the {@code explain()} output shown after the code). Lines starting
 * with {@code //} in the comment are comments. An unknown key is an error.
 *
 * <p>Errors name the file and the line: {@code README.md line 120 (```java block at line 117): cannot find symbol
 * ...}, with lines of the hidden context reported as such.
 *
 * <p>Instances are immutable; compiling is thread-safe.
 *
 * @since 0.2.0
 */
public final class ReadmeCode {

    /** The default {@code module:} of a block. */
    public static final String DEFAULT_MODULE = "relaycontrol-core";

    private static final List<String> IMPORTS = List.of(
            "io.relaycontrol.api.*", "io.relaycontrol.api.address.*", "io.relaycontrol.core.rules.*",
            "io.relaycontrol.core.net.*", "io.relaycontrol.core.address.*", "io.relaycontrol.core.auth.*",
            "io.relaycontrol.core.limit.*", "io.relaycontrol.core.limit.redis.*", "io.relaycontrol.core.config.*",
            "io.relaycontrol.core.check.*", "io.relaycontrol.core.audit.*", "io.relaycontrol.core.dns.*", "io.relaycontrol.core.penalty.*", "java.util.*", "java.nio.file.*", "java.time.*", "java.net.*",
            "java.io.*");
    private static final List<String> STATIC_IMPORTS = List.of(
            "io.relaycontrol.testkit.PolicyAssertions.assertThat", "io.relaycontrol.testkit.Requests.*");
    private static final Pattern TYPE_DECLARATION = Pattern.compile(
            "^(@\\w+\\s+)*(public\\s+|final\\s+|abstract\\s+|sealed\\s+)*(class|record|interface|enum)\\s+\\w+.*");
    private static final List<String> KEYS = List.of("module", "mode", "id", "imports", "before", "after");

    private final Path file;
    private final String displayName;
    private final List<Block> blocks;

    private ReadmeCode(Path file, String displayName, List<Block> blocks) {
        this.file = file;
        this.displayName = displayName;
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Reads a Markdown file and finds its {@code ```java} blocks and their hidden contexts.
     *
     * @param markdown the file
     * @param displayName how errors name it, e.g. {@code README.md} or {@code examples/james/README.md}
     * @return the blocks
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a hidden context is malformed (unknown key, unclosed comment or block),
     *     naming the line
     */
    public static ReadmeCode parse(Path markdown, String displayName) {
        List<String> lines;
        try {
            lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + markdown + ": " + e, e);
        }
        return new ReadmeCode(markdown, displayName, parseBlocks(lines, displayName));
    }

    /**
     * The repository root: the first directory from the working directory upwards that holds {@code README.md} and
     * {@code relaycontrol-api}.
     *
     * @return the root
     * @throws IllegalStateException if there is none
     */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("relaycontrol-api"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (README.md beside relaycontrol-api) above "
                + Path.of("").toAbsolutePath());
    }

    /**
     * Every README of the repository whose blocks the build compiles: {@code README.md} and
     * {@code examples/*}{@code /README.md}, in that order.
     *
     * @param root the repository root
     * @return the parsed READMEs
     */
    public static List<ReadmeCode> repositoryReadmes(Path root) {
        List<ReadmeCode> out = new ArrayList<>();
        out.add(parse(root.resolve("README.md"), "README.md"));
        Path examples = root.resolve("examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> dirs = Files.list(examples)) {
                dirs.sorted().map(d -> d.resolve("README.md")).filter(Files::isRegularFile)
                        .forEach(r -> out.add(parse(r, root.relativize(r).toString())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** @return the Markdown file */
    public Path file() {
        return file;
    }

    /** @return every {@code ```java} block, in order */
    public List<Block> blocks() {
        return blocks;
    }

    /**
     * @param module a module name as written after {@code module:}
     * @return the blocks of that module, in order
     */
    public List<Block> javaBlocks(String module) {
        return blocks.stream().filter(b -> b.module.equals(module)).toList();
    }

    /**
     * @param id the {@code id:} of a block
     * @return the block
     * @throws IllegalArgumentException if no block has that id
     */
    public Block block(String id) {
        return blocks.stream().filter(b -> id.equals(b.id)).findFirst().orElseThrow(
                () -> new IllegalArgumentException(displayName + " has no ```java block with 'id: " + id + "'"));
    }

    /** One {@code ```java} block with its hidden context. Immutable. */
    public static final class Block {
        private final String readme;
        private final int fenceLine;
        private final List<String> code;
        private final int contextLine;
        private final String module;
        private final boolean run;
        private final String id;
        private final List<Line> imports;
        private final List<Line> before;
        private final List<Line> after;
        private final String nextBlock;

        private Block(String readme, int fenceLine, List<String> code, int contextLine, Map<String, List<Line>> ctx,
                String nextBlock) {
            this.readme = readme;
            this.fenceLine = fenceLine;
            this.code = List.copyOf(code);
            this.contextLine = contextLine;
            this.module = single(ctx, "module").orElse(DEFAULT_MODULE);
            String mode = single(ctx, "mode").orElse("run");
            if (!mode.equals("run") && !mode.equals("compile")) {
                throw new IllegalArgumentException(readme + " line " + contextLine + ": mode must be 'run' or"
                        + " 'compile', was '" + mode + "'");
            }
            this.run = mode.equals("run");
            this.id = single(ctx, "id").orElse(null);
            this.imports = ctx.getOrDefault("imports", List.of());
            this.before = ctx.getOrDefault("before", List.of());
            this.after = ctx.getOrDefault("after", List.of());
            this.nextBlock = nextBlock;
        }

        private Optional<String> single(Map<String, List<Line>> ctx, String key) {
            List<Line> v = ctx.get(key);
            if (v == null) {
                return Optional.empty();
            }
            String joined = String.join(" ", v.stream().map(l -> l.text.strip()).toList()).strip();
            return joined.isEmpty() ? Optional.empty() : Optional.of(joined);
        }

        /** @return the 1-based line of the opening fence */
        public int line() {
            return fenceLine;
        }

        /** @return the module whose test compiles this block */
        public String module() {
            return module;
        }

        /** @return whether the block is run after it compiles */
        public boolean runs() {
            return run;
        }

        /** @return e.g. {@code README.md line 57} */
        @Override
        public String toString() {
            return readme + " line " + fenceLine + (id == null ? "" : " (" + id + ")");
        }

        /**
         * Compiles the block and, unless its mode is {@code compile}, runs it.
         *
         * @throws AssertionError naming the block's line and, for a compile error, the README line and javac's message;
         *     for a failure while running, the exception as its cause
         */
        public void check() {
            Class<?> c = compile(null, List.of());
            if (run && c != null) {
                invoke(c);
            }
        }

        /**
         * Compiles and runs the block and returns the value of one of its variables at its end, for tests that use
         * what the README builds (the quick start's policy, put into a server).
         *
         * @param variable a variable the block declares
         * @param extraImports more on-demand imports, e.g. a module's packages
         * @return the variable's value
         * @throws AssertionError as {@link #check()}
         */
        public Object run(String variable, String... extraImports) {
            return invoke(compile(Objects.requireNonNull(variable, "variable"), List.of(extraImports)));
        }

        /**
         * Compiles and checks the block with more on-demand imports (a module's own packages).
         *
         * @param extraImports on-demand imports without {@code import} and {@code ;}, e.g. {@code io.example.*}
         */
        public void check(String... extraImports) {
            Class<?> c = compile(null, List.of(extraImports));
            if (run && c != null) {
                invoke(c);
            }
        }

        private Object invoke(Class<?> c) {
            try {
                Method m = c.getDeclaredMethod("run", String.class);
                m.setAccessible(true);
                return m.invoke(null, nextBlock);
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                throw new AssertionError(this + ": the ```java block compiles but throws when run: " + t
                        + "\n(give it what it needs in a <!-- readme-code before: ... --> comment before the block, or"
                        + " 'mode: compile' with the reason)", t);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(this + ": cannot run the compiled block: " + e, e);
            }
        }

        private Class<?> compile(String returnVariable, List<String> extraImports) {
            String className = "ReadmeBlockAtLine" + fenceLine;
            List<Line> hoisted = new ArrayList<>(imports);
            List<Line> body = new ArrayList<>();
            boolean top = true;
            for (int i = 0; i < code.size(); i++) {
                String t = code.get(i);
                Line l = new Line(fenceLine + 1 + i, t, false);
                if (top && t.strip().startsWith("import ")) {
                    hoisted.add(l);
                } else {
                    if (!t.isBlank()) {
                        top = false;
                    }
                    body.add(l);
                }
            }
            boolean typeDeclaration = body.stream().map(l -> l.text.strip()).filter(s -> !s.isEmpty()
                    && !s.startsWith("//")).findFirst().map(s -> TYPE_DECLARATION.matcher(s).matches()).orElse(false);
            List<Line> unit = new ArrayList<>();
            List<Line> generatedHead = new ArrayList<>();
            for (String imp : IMPORTS) {
                generatedHead.add(Line.generated("import " + imp + ";"));
            }
            for (String imp : extraImports) {
                generatedHead.add(Line.generated("import " + imp + ";"));
            }
            for (String imp : STATIC_IMPORTS) {
                generatedHead.add(Line.generated("import static " + imp + ";"));
            }
            unit.addAll(generatedHead);
            unit.addAll(hoisted);
            if (typeDeclaration) {
                for (Line l : body) { // a top-level public type would need its own file name
                    boolean topLevelPublic = !l.text.startsWith(" ") && l.text.startsWith("public ")
                            && TYPE_DECLARATION.matcher(l.text).matches();
                    unit.add(topLevelPublic ? new Line(l.readmeLine, l.text.substring(7), l.hidden) : l);
                }
                unit.add(Line.generated("final class " + className + " {"));
                unit.add(Line.generated("    static Object run(String nextBlock) { return null; }"));
                unit.add(Line.generated("}"));
            } else {
                unit.add(Line.generated("final class " + className + " {"));
                unit.add(Line.generated("@SuppressWarnings(\"unused\")"));
                unit.add(Line.generated("static Object run(String nextBlock) throws Exception {"));
                unit.addAll(before);
                unit.addAll(body);
                unit.addAll(after);
                unit.add(Line.generated(returnVariable == null ? "return null;" : "return " + returnVariable + ";"));
                unit.add(Line.generated("}"));
                unit.add(Line.generated("}"));
            }
            StringBuilder src = new StringBuilder();
            for (Line l : unit) {
                src.append(l.text).append('\n');
            }
            Map<String, byte[]> classes = javac(className, src.toString(), unit);
            ClassLoader parent = Thread.currentThread().getContextClassLoader();
            ClassLoader loader = new ClassLoader(parent) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    byte[] b = classes.get(name);
                    if (b == null) {
                        throw new ClassNotFoundException(name);
                    }
                    return defineClass(name, b, 0, b.length);
                }
            };
            try {
                return loader.loadClass(className);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(this + ": compiled, but the class is missing: " + e, e);
            }
        }

        private Map<String, byte[]> javac(String className, String source, List<Line> unit) {
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) {
                throw new AssertionError("no Java compiler in this JVM (a JRE?): README code cannot be compiled");
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            Map<String, ByteArrayOutputStream> out = new HashMap<>();
            StandardJavaFileManager std = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                    StandardCharsets.UTF_8);
            JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
                        FileObject sibling) {
                    return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension),
                            kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            ByteArrayOutputStream b = new ByteArrayOutputStream();
                            out.put(name, b);
                            return b;
                        }
                    };
                }
            };
            JavaFileObject src = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> options = List.of("-classpath", classPath, "-proc:none", "-Xlint:-options", "-encoding",
                    "UTF-8", "-g");
            boolean ok = compiler.getTask(null, fm, diagnostics, options, null, List.of(src)).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder(this + ": the ```java block (lines " + (fenceLine + 1) + "-"
                        + (fenceLine + code.size()) + ") does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    if (d.getKind() != Diagnostic.Kind.ERROR) {
                        continue;
                    }
                    long n = d.getLineNumber();
                    Line l = n >= 1 && n <= unit.size() ? unit.get((int) n - 1) : null;
                    String where = l == null || l.generated ? "in the generated wrapper"
                            : readme + " line " + l.readmeLine + (l.hidden ? " (hidden readme-code context)" : "");
                    sb.append("\n  ").append(where).append(": ").append(d.getMessage(Locale.ROOT).replace("\n", "\n    "));
                    if (l != null) {
                        sb.append("\n    | ").append(l.text.strip());
                    }
                }
                sb.append("\n(imports and context: see the javadoc of io.relaycontrol.testkit.ReadmeCode; a free"
                        + " variable is declared in a <!-- readme-code before: ... --> comment right before the block)");
                throw new AssertionError(sb.toString());
            }
            Map<String, byte[]> classes = new LinkedHashMap<>();
            out.forEach((k, v) -> classes.put(k, v.toByteArray()));
            return classes;
        }
    }

    /** A line of generated source, mapped back to the README. */
    private record Line(int readmeLine, String text, boolean hidden, boolean generated) {
        Line(int readmeLine, String text, boolean hidden) {
            this(readmeLine, text, hidden, false);
        }

        static Line generated(String text) {
            return new Line(0, text, false, true);
        }
    }

    private static List<Block> parseBlocks(List<String> lines, String name) {
        List<Block> out = new ArrayList<>();
        int i = 0;
        int lastCommentEnd = -10;
        int lastCommentStart = 0;
        Map<String, List<Line>> pending = null;
        while (i < lines.size()) {
            String l = lines.get(i);
            String t = l.strip();
            if (t.startsWith("<!-- readme-code")) {
                int start = i;
                Map<String, List<Line>> ctx = new LinkedHashMap<>();
                String key = null;
                String rest = t.substring("<!-- readme-code".length()).strip();
                if (rest.endsWith("-->")) {
                    throw new IllegalArgumentException(name + " line " + (i + 1) + ": write the readme-code context"
                            + " on the lines after '<!-- readme-code', one 'key: value' a line, and close with '-->'");
                }
                i++;
                while (i < lines.size() && !lines.get(i).strip().equals("-->")) {
                    String c = lines.get(i);
                    String cs = c.strip();
                    int colon = cs.indexOf(':');
                    String maybeKey = colon > 0 ? cs.substring(0, colon) : null;
                    if (cs.startsWith("//") || cs.isEmpty()) {
                        i++;
                        continue;
                    }
                    if (maybeKey != null && maybeKey.matches("[a-z]+") && (key == null || !isCodeKey(key)
                            || KEYS.contains(maybeKey))) {
                        if (!KEYS.contains(maybeKey)) {
                            throw new IllegalArgumentException(name + " line " + (i + 1) + ": unknown readme-code key '"
                                    + maybeKey + "' (known: " + KEYS + ")");
                        }
                        key = maybeKey;
                        List<Line> v = ctx.computeIfAbsent(key, k -> new ArrayList<>());
                        String value = cs.substring(colon + 1).strip();
                        if (!value.isEmpty()) {
                            v.add(new Line(i + 1, value, true));
                        }
                    } else if (key != null && isCodeKey(key)) {
                        ctx.get(key).add(new Line(i + 1, c, true));
                    } else {
                        throw new IllegalArgumentException(name + " line " + (i + 1) + ": expected 'key: value' in the"
                                + " readme-code comment, was '" + cs + "'");
                    }
                    i++;
                }
                if (i >= lines.size()) {
                    throw new IllegalArgumentException(name + " line " + (start + 1)
                            + ": the readme-code comment is never closed with '-->'");
                }
                pending = ctx;
                lastCommentStart = start + 1;
                lastCommentEnd = i;
                i++;
                continue;
            }
            if (t.startsWith("```")) {
                String lang = t.substring(3).strip();
                int open = i;
                List<String> code = new ArrayList<>();
                i++;
                while (i < lines.size() && !lines.get(i).strip().equals("```")) {
                    code.add(lines.get(i));
                    i++;
                }
                if (i >= lines.size()) {
                    throw new IllegalArgumentException(name + " line " + (open + 1) + ": the ``` block is never closed");
                }
                i++;
                if (lang.equals("java")) {
                    boolean attached = pending != null && blankBetween(lines, lastCommentEnd + 1, open);
                    if (pending != null && !attached) {
                        throw new IllegalArgumentException(name + " line " + lastCommentStart + ": a readme-code comment"
                                + " must come right before its ```java block (only blank lines between)");
                    }
                    out.add(new Block(name, open + 1, code, lastCommentStart, attached ? pending : Map.of(),
                            nextNonJavaBlock(lines, i)));
                    pending = null;
                } else if (pending != null) {
                    throw new IllegalArgumentException(name + " line " + lastCommentStart
                            + ": a readme-code comment belongs before a ```java block, not a ```" + lang + " block");
                }
                continue;
            }
            i++;
        }
        if (pending != null) {
            throw new IllegalArgumentException(name + " line " + lastCommentStart
                    + ": a readme-code comment without a ```java block after it");
        }
        return out;
    }

    private static boolean isCodeKey(String key) {
        return key.equals("imports") || key.equals("before") || key.equals("after");
    }

    private static boolean blankBetween(List<String> lines, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!lines.get(k).isBlank()) {
                return false;
            }
        }
        return true;
    }

    /** The text of the next fenced block that is not Java, if it comes before the next Java block. */
    private static String nextNonJavaBlock(List<String> lines, int from) {
        for (int k = from; k < lines.size(); k++) {
            String t = lines.get(k).strip();
            if (t.startsWith("```")) {
                if (t.substring(3).strip().equals("java")) {
                    return null;
                }
                StringBuilder sb = new StringBuilder();
                for (int j = k + 1; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                    sb.append(sb.length() == 0 ? "" : "\n").append(lines.get(j));
                }
                return sb.toString();
            }
        }
        return null;
    }
}

package dev.appliancesync.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Class files read with ASM, for what native-image would find in them without running them: the methods each method
 * calls, the classes its instructions name, the strings it loads.
 */
final class ClassFiles {

    /** A method in JVM terms: owner and descriptor as internal names ({@code a/b/C}, {@code (I)V}). */
    record MethodRef(String owner, String name, String descriptor) {

        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + name + descriptor;
        }
    }

    /** One method's body. {@code classes}: every class an instruction names, in operands and descriptors. */
    record Method(MethodRef ref, int access, Set<MethodRef> calls, Set<String> classes, Set<String> strings) {

        boolean isStatic() {
            return (access & Opcodes.ACC_STATIC) != 0;
        }
    }

    private ClassFiles() {
    }

    /** The jar or directory {@code type} was loaded from. */
    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every jar on the class path with an entry for {@code directory} (e.g. "software/amazon/awssdk/"). */
    static List<Path> jarsWith(String directory) {
        List<Path> jars = new ArrayList<>();
        try {
            for (URL url : Collections.list(ClassFiles.class.getClassLoader().getResources(directory))) {
                if (url.openConnection() instanceof JarURLConnection jar) {
                    jars.add(Path.of(jar.getJarFileURL().toURI()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return jars;
    }

    /** Whether the class path (or the JDK) has this class, by internal name. */
    static boolean exists(String internalName) {
        return ClassFiles.class.getClassLoader().getResource(internalName + ".class") != null;
    }

    /** Binary names ({@code a.b.C$D}) of the classes in a jar or directory, sorted by internal name. */
    static List<String> classNames(Path jarOrDirectory) {
        return read(jarOrDirectory).keySet().stream().map(n -> n.replace('/', '.')).toList();
    }

    /** Every method of every class in a jar or directory. */
    static List<Method> methods(Path jarOrDirectory) {
        List<Method> methods = new ArrayList<>();
        read(jarOrDirectory).values().forEach(bytes -> methods.addAll(methods(bytes)));
        return methods;
    }

    /** Every method of the class {@code type} was compiled from. */
    static List<Method> methods(Class<?> type) {
        try (InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return methods(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Class files by internal name; multi-release versions and module descriptors left out. */
    private static TreeMap<String, byte[]> read(Path jarOrDirectory) {
        TreeMap<String, byte[]> classes = new TreeMap<>();
        try {
            if (Files.isDirectory(jarOrDirectory)) {
                try (Stream<Path> files = Files.walk(jarOrDirectory)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        String name = jarOrDirectory.relativize(file).toString().replace('\\', '/');
                        classes.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(file));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(jarOrDirectory.toFile())) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                classes.put(name.substring(0, name.length() - ".class".length()), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return classes;
    }

    private static List<Method> methods(byte[] classFile) {
        List<Method> methods = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        String owner = reader.getClassName();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                Method method = new Method(new MethodRef(owner, name, descriptor), access, new LinkedHashSet<>(),
                        new LinkedHashSet<>(), new LinkedHashSet<>());
                methods.add(method);
                return new MethodVisitor(Opcodes.ASM9) {
                    private void type(Type type) {
                        switch (type.getSort()) {
                            case Type.ARRAY -> type(type.getElementType());
                            case Type.OBJECT -> method.classes().add(type.getInternalName());
                            case Type.METHOD -> {
                                type(type.getReturnType());
                                for (Type argument : type.getArgumentTypes()) {
                                    type(argument);
                                }
                            }
                            default -> {
                            }
                        }
                    }

                    private void call(String callOwner, String callName, String callDescriptor) {
                        method.calls().add(new MethodRef(callOwner, callName, callDescriptor));
                        type(Type.getObjectType(callOwner));
                        type(Type.getMethodType(callDescriptor));
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String callOwner, String callName, String callDescriptor,
                            boolean isInterface) {
                        call(callOwner, callName, callDescriptor);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String callName, String callDescriptor, Handle bootstrap,
                            Object... arguments) {
                        // A lambda's body is a method the bootstrap arguments point at (records' point at fields).
                        for (Object argument : arguments) {
                            if (argument instanceof Handle handle) {
                                if (handle.getTag() <= Opcodes.H_PUTSTATIC) {
                                    visitFieldInsn(Opcodes.GETFIELD, handle.getOwner(), handle.getName(), handle.getDesc());
                                } else {
                                    call(handle.getOwner(), handle.getName(), handle.getDesc());
                                }
                            }
                        }
                        type(Type.getMethodType(callDescriptor));
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String fieldOwner, String fieldName, String fieldDescriptor) {
                        type(Type.getObjectType(fieldOwner));
                        type(Type.getType(fieldDescriptor));
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        type(Type.getObjectType(type));
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
                        type(Type.getType(descriptor));
                    }

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String exception) {
                        if (exception != null) {
                            type(Type.getObjectType(exception));
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof String string) {
                            method.strings().add(string);
                        } else if (value instanceof Type type) {
                            type(type);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return methods;
    }
}
